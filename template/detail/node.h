// The parse tree of a template, as Go's text/template/parse nodes: each node knows its byte
// position in the source and prints itself back (String()), which is how execution errors name
// the failing expression ("executing \"x\" at <.Foo>").
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tmpl::detail {

// The text a tree was parsed from and the name errors report for it (Go's Tree.ParseName).
struct Source {
  std::string parse_name;
  std::string text;
};

enum class NodeType {
  kText,
  kAction,
  kBool,
  kChain,
  kCommand,
  kDot,
  kElse,
  kEnd,
  kField,
  kIdentifier,
  kIf,
  kList,
  kNil,
  kNumber,
  kPipe,
  kRange,
  kString,
  kTemplate,
  kVariable,
  kWith,
  kComment,
  kBreak,
  kContinue,
};

struct Node {
  Node(NodeType t, int p, const Source* s) : type(t), pos(p), source(s) {}
  virtual ~Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Appends the node as Go's String() writes it.
  virtual void WriteTo(std::string* out) const = 0;
  std::string String() const {
    std::string s;
    WriteTo(&s);
    return s;
  }

  const NodeType type;
  const int pos;         // byte offset in source->text
  const Source* source;  // owned by the Tree holding the node
};
using NodePtr = std::unique_ptr<Node>;

struct ListNode final : Node {
  ListNode(int p, const Source* s) : Node(NodeType::kList, p, s) {}
  void WriteTo(std::string* out) const override {
    for (const auto& n : nodes) n->WriteTo(out);
  }
  std::vector<NodePtr> nodes;
};

struct TextNode final : Node {
  TextNode(int p, const Source* s, std::string t)
      : Node(NodeType::kText, p, s), text(std::move(t)) {}
  void WriteTo(std::string* out) const override { *out += text; }
  std::string text;
};

struct CommentNode final : Node {
  CommentNode(int p, const Source* s, std::string t)
      : Node(NodeType::kComment, p, s), text(std::move(t)) {}
  void WriteTo(std::string* out) const override { *out += "{{" + text + "}}"; }
  std::string text;
};

struct IdentifierNode final : Node {
  IdentifierNode(int p, const Source* s, std::string i)
      : Node(NodeType::kIdentifier, p, s), ident(std::move(i)) {}
  void WriteTo(std::string* out) const override { *out += ident; }
  std::string ident;
};

// $x.Field1.Field2: ident[0] is the variable's name.
struct VariableNode final : Node {
  VariableNode(int p, const Source* s, std::vector<std::string> i)
      : Node(NodeType::kVariable, p, s), ident(std::move(i)) {}
  void WriteTo(std::string* out) const override {
    for (size_t i = 0; i < ident.size(); ++i) *out += (i > 0 ? "." : "") + ident[i];
  }
  std::vector<std::string> ident;
};

struct DotNode final : Node {
  DotNode(int p, const Source* s) : Node(NodeType::kDot, p, s) {}
  void WriteTo(std::string* out) const override { *out += "."; }
};

struct NilNode final : Node {
  NilNode(int p, const Source* s) : Node(NodeType::kNil, p, s) {}
  void WriteTo(std::string* out) const override { *out += "nil"; }
};

// .Field1.Field2
struct FieldNode final : Node {
  FieldNode(int p, const Source* s, std::vector<std::string> i)
      : Node(NodeType::kField, p, s), ident(std::move(i)) {}
  void WriteTo(std::string* out) const override {
    for (const auto& id : ident) *out += "." + id;
  }
  std::vector<std::string> ident;
};

struct BoolNode final : Node {
  BoolNode(int p, const Source* s, bool v) : Node(NodeType::kBool, p, s), value(v) {}
  void WriteTo(std::string* out) const override { *out += value ? "true" : "false"; }
  bool value;
};

// A numeric or character constant with every interpretation that fits (Go's NumberNode).
struct NumberNode final : Node {
  NumberNode(int p, const Source* s, std::string t)
      : Node(NodeType::kNumber, p, s), text(std::move(t)) {}
  void WriteTo(std::string* out) const override { *out += text; }
  bool is_int = false, is_uint = false, is_float = false, is_complex = false;
  int64_t int64 = 0;
  uint64_t uint64 = 0;
  double float64 = 0;
  std::string text;
};

struct StringNode final : Node {
  StringNode(int p, const Source* s, std::string q, std::string t)
      : Node(NodeType::kString, p, s), quoted(std::move(q)), text(std::move(t)) {}
  void WriteTo(std::string* out) const override { *out += quoted; }
  std::string quoted;
  std::string text;
};

struct CommandNode;

struct PipeNode final : Node {
  PipeNode(int p, const Source* s, int l) : Node(NodeType::kPipe, p, s), line(l) {}
  void WriteTo(std::string* out) const override;
  int line;
  bool is_assign = false;
  std::vector<std::unique_ptr<VariableNode>> decl;
  std::vector<std::unique_ptr<CommandNode>> cmds;
};

struct CommandNode final : Node {
  CommandNode(int p, const Source* s) : Node(NodeType::kCommand, p, s) {}
  void WriteTo(std::string* out) const override {
    for (size_t i = 0; i < args.size(); ++i) {
      if (i > 0) out->push_back(' ');
      if (args[i]->type == NodeType::kPipe) {
        out->push_back('(');
        args[i]->WriteTo(out);
        out->push_back(')');
      } else {
        args[i]->WriteTo(out);
      }
    }
  }
  std::vector<NodePtr> args;
};

inline void PipeNode::WriteTo(std::string* out) const {
  if (!decl.empty()) {
    for (size_t i = 0; i < decl.size(); ++i) {
      if (i > 0) *out += ", ";
      decl[i]->WriteTo(out);
    }
    *out += " := ";
  }
  for (size_t i = 0; i < cmds.size(); ++i) {
    if (i > 0) *out += " | ";
    cmds[i]->WriteTo(out);
  }
}

// (pipeline).Field1.Field2
struct ChainNode final : Node {
  ChainNode(int p, const Source* s, NodePtr n) : Node(NodeType::kChain, p, s), node(std::move(n)) {}
  void WriteTo(std::string* out) const override {
    if (node->type == NodeType::kPipe) {
      out->push_back('(');
      node->WriteTo(out);
      out->push_back(')');
    } else {
      node->WriteTo(out);
    }
    for (const auto& f : field) *out += "." + f;
  }
  NodePtr node;
  std::vector<std::string> field;
};

struct ActionNode final : Node {
  ActionNode(int p, const Source* s, int l, std::unique_ptr<PipeNode> pp)
      : Node(NodeType::kAction, p, s), line(l), pipe(std::move(pp)) {}
  void WriteTo(std::string* out) const override {
    *out += "{{";
    pipe->WriteTo(out);
    *out += "}}";
  }
  int line;
  std::unique_ptr<PipeNode> pipe;
};

struct EndNode final : Node {
  EndNode(int p, const Source* s) : Node(NodeType::kEnd, p, s) {}
  void WriteTo(std::string* out) const override { *out += "{{end}}"; }
};

struct ElseNode final : Node {
  ElseNode(int p, const Source* s, int l) : Node(NodeType::kElse, p, s), line(l) {}
  void WriteTo(std::string* out) const override { *out += "{{else}}"; }
  int line;
};

// if, range and with.
struct BranchNode final : Node {
  BranchNode(NodeType t, int p, const Source* s, int l) : Node(t, p, s), line(l) {}
  void WriteTo(std::string* out) const override {
    const char* name = type == NodeType::kIf ? "if" : type == NodeType::kRange ? "range" : "with";
    *out += std::string("{{") + name + " ";
    pipe->WriteTo(out);
    *out += "}}";
    list->WriteTo(out);
    if (else_list) {
      *out += "{{else}}";
      else_list->WriteTo(out);
    }
    *out += "{{end}}";
  }
  int line;
  std::unique_ptr<PipeNode> pipe;
  std::unique_ptr<ListNode> list;
  std::unique_ptr<ListNode> else_list;  // may be null
};

struct BreakNode final : Node {
  BreakNode(int p, const Source* s, int l) : Node(NodeType::kBreak, p, s), line(l) {}
  void WriteTo(std::string* out) const override { *out += "{{break}}"; }
  int line;
};

struct ContinueNode final : Node {
  ContinueNode(int p, const Source* s, int l) : Node(NodeType::kContinue, p, s), line(l) {}
  void WriteTo(std::string* out) const override { *out += "{{continue}}"; }
  int line;
};

struct TemplateNode final : Node {
  TemplateNode(int p, const Source* s, int l, std::string n, std::unique_ptr<PipeNode> pp)
      : Node(NodeType::kTemplate, p, s), line(l), name(std::move(n)), pipe(std::move(pp)) {}
  void WriteTo(std::string* out) const override;
  int line;
  std::string name;
  std::unique_ptr<PipeNode> pipe;  // may be null
};

// One parsed template: a name and its body.
struct Tree {
  std::string name;
  std::shared_ptr<const Source> source;
  std::unique_ptr<ListNode> root;
};

// Whether a tree is empty of everything but space and comments (Go's parse.IsEmptyTree).
bool IsEmptyTree(const Node* n);

}  // namespace tmpl::detail
