#include "template/detail/parse.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <utility>

#include "base/quote.h"
#include "base/strconv.h"
#include "template/detail/lex.h"

namespace tmpl::detail {
namespace {

char Lower(char c) { return static_cast<char>(c | ('x' - 'X')); }

// strconv.UnquoteChar for a character constant body (after the opening quote).
bool UnquoteChar(std::string_view s, int32_t* value, std::string_view* tail) {
  if (s.empty()) return false;
  unsigned char c = static_cast<unsigned char>(s[0]);
  if (c == '\'') return false;
  if (c >= 0x80) {
    int32_t r;
    size_t w = base::DecodeRune(s, 0, &r);
    *value = r;
    *tail = s.substr(w);
    return true;
  }
  if (c != '\\') {
    *value = c;
    *tail = s.substr(1);
    return true;
  }
  if (s.size() <= 1) return false;
  char e = s[1];
  s.remove_prefix(2);
  auto hexval = [](char h) -> int {
    if (h >= '0' && h <= '9') return h - '0';
    if (h >= 'a' && h <= 'f') return h - 'a' + 10;
    if (h >= 'A' && h <= 'F') return h - 'A' + 10;
    return -1;
  };
  switch (e) {
    case 'a':
      *value = '\a';
      break;
    case 'b':
      *value = '\b';
      break;
    case 'f':
      *value = '\f';
      break;
    case 'n':
      *value = '\n';
      break;
    case 'r':
      *value = '\r';
      break;
    case 't':
      *value = '\t';
      break;
    case 'v':
      *value = '\v';
      break;
    case '\\':
      *value = '\\';
      break;
    case '\'':
      *value = '\'';
      break;
    case 'x':
    case 'u':
    case 'U': {
      size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
      if (s.size() < n) return false;
      int32_t v = 0;
      for (size_t i = 0; i < n; ++i) {
        int h = hexval(s[i]);
        if (h < 0) return false;
        v = (v << 4) | h;
      }
      s.remove_prefix(n);
      if (e != 'x' && (v > base::kMaxRune || (v >= 0xD800 && v <= 0xDFFF))) return false;
      *value = v;
      break;
    }
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7': {
      int32_t v = e - '0';
      if (s.size() < 2) return false;
      for (int i = 0; i < 2; ++i) {
        int d = s[static_cast<size_t>(i)] - '0';
        if (d < 0 || d > 7) return false;
        v = (v << 3) | d;
      }
      s.remove_prefix(2);
      if (v > 255) return false;
      *value = v;
      break;
    }
    default:
      return false;
  }
  *tail = s;
  return true;
}

// strconv.Unquote for "..." and `...` literals.
bool UnquoteString(std::string_view s, std::string* out) {
  if (s.size() >= 2 && s.front() == '`' && s.back() == '`') {
    std::string_view body = s.substr(1, s.size() - 2);
    if (body.find('`') != std::string_view::npos) return false;
    out->clear();
    for (char c : body)
      if (c != '\r') out->push_back(c);
    return true;
  }
  return base::Unquote(s, out);
}

using HasFunction = std::function<bool(std::string_view)>;

// One tree being parsed (Go's parse.Tree during Parse). Definitions and blocks are parsed by a
// nested TreeParser reading the same lexer.
class TreeParser {
 public:
  TreeParser(Lexer* lex, std::string name, std::shared_ptr<const Source> source, TreeSet* trees,
             const HasFunction& has_function, base::Status* err)
      : lex_(lex),
        name_(std::move(name)),
        source_(std::move(source)),
        src_(source_.get()),
        trees_(trees),
        has_function_(has_function),
        err_(err) {
    vars_.push_back("$");
  }

  void ParseTop();
  void Add();

 private:
  bool failed() const { return !err_->ok(); }

  Item Next() {
    if (peek_count_ > 0) {
      --peek_count_;
    } else {
      token_[0] = lex_->NextItem();
    }
    return token_[peek_count_];
  }
  void Backup() { ++peek_count_; }
  void Backup2(Item t1) {
    token_[1] = std::move(t1);
    peek_count_ = 2;
  }
  void Backup3(Item t2, Item t1) {
    token_[1] = std::move(t1);
    token_[2] = std::move(t2);
    peek_count_ = 3;
  }
  Item Peek() {
    if (peek_count_ > 0) return token_[peek_count_ - 1];
    peek_count_ = 1;
    token_[0] = lex_->NextItem();
    return token_[0];
  }
  Item NextNonSpace() {
    Item t;
    do {
      t = Next();
    } while (t.type == ItemType::kSpace);
    return t;
  }
  Item PeekNonSpace() {
    Item t = NextNonSpace();
    Backup();
    return t;
  }

  void Errorf(const std::string& msg) {
    if (failed()) return;
    *err_ = base::InvalidArgument("template: " + src_->parse_name + ":" +
                                  std::to_string(token_[0].line) + ": " + msg);
  }
  Item Expect(ItemType expected, const char* context) {
    Item token = NextNonSpace();
    if (token.type != expected) Unexpected(token, context);
    return token;
  }
  Item ExpectOneOf(ItemType e1, ItemType e2, const char* context) {
    Item token = NextNonSpace();
    if (token.type != e1 && token.type != e2) Unexpected(token, context);
    return token;
  }
  void Unexpected(const Item& token, const std::string& context) {
    if (token.type == ItemType::kError) {
      std::string extra;
      if (action_line_ != 0 && action_line_ != token.line) {
        extra = " in action started at " + src_->parse_name + ":" + std::to_string(action_line_);
        if (token.val.ends_with(" action"))
          extra = extra.substr(std::string_view(" in action").size());
      }
      Errorf(token.String() + extra);
      return;
    }
    Errorf("unexpected " + token.String() + " in " + context);
  }

  std::unique_ptr<ListNode> NewList(int pos) { return std::make_unique<ListNode>(pos, src_); }

  void ParseDefinition();
  // Returns the list and the {{end}} or {{else}} that ended it.
  std::pair<std::unique_ptr<ListNode>, NodePtr> ItemList();
  NodePtr TextOrAction();
  NodePtr Action();
  NodePtr BreakControl(int pos, int line);
  NodePtr ContinueControl(int pos, int line);
  std::unique_ptr<PipeNode> Pipeline(const std::string& context, ItemType end);
  void CheckPipeline(const PipeNode& pipe, const std::string& context);
  std::unique_ptr<BranchNode> ParseControl(NodeType type, const char* context);
  NodePtr IfControl() { return ParseControl(NodeType::kIf, "if"); }
  NodePtr RangeControl() { return ParseControl(NodeType::kRange, "range"); }
  NodePtr WithControl() { return ParseControl(NodeType::kWith, "with"); }
  NodePtr EndControl();
  NodePtr ElseControl();
  NodePtr BlockControl();
  NodePtr TemplateControl();
  std::string ParseTemplateName(const Item& token, const char* context);
  std::unique_ptr<CommandNode> Command();
  NodePtr Operand();
  NodePtr Term();
  NodePtr UseVar(int pos, const std::string& name);
  NodePtr NewNumber(int pos, const std::string& text, ItemType type);

  Lexer* lex_;
  std::string name_;
  std::shared_ptr<const Source> source_;
  const Source* src_;
  TreeSet* trees_;
  const HasFunction& has_function_;
  base::Status* err_;
  std::unique_ptr<ListNode> root_;
  Item token_[3];
  int peek_count_ = 0;
  std::vector<std::string> vars_;
  int action_line_ = 0;
  int range_depth_ = 0;
};

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t i = s.find(sep, start);
    if (i == std::string_view::npos) {
      out.emplace_back(s.substr(start));
      return out;
    }
    out.emplace_back(s.substr(start, i - start));
    start = i + 1;
  }
}

void TreeParser::Add() {
  if (failed()) return;
  auto it = trees_->find(name_);
  if (it == trees_->end() || IsEmptyTree(it->second->root.get())) {
    auto tree = std::make_unique<Tree>();
    tree->name = name_;
    tree->source = source_;
    tree->root = std::move(root_);
    (*trees_)[name_] = std::move(tree);
    return;
  }
  if (!IsEmptyTree(root_.get())) {
    Errorf("template: multiple definition of template " + base::GoQuote(name_));
  }
}

void TreeParser::ParseTop() {
  root_ = NewList(Peek().pos);
  while (!failed() && Peek().type != ItemType::kEOF) {
    if (Peek().type == ItemType::kLeftDelim) {
      Item delim = Next();
      if (NextNonSpace().type == ItemType::kDefine) {
        TreeParser def(lex_, "definition", source_, trees_, has_function_, err_);
        def.ParseDefinition();
        continue;
      }
      Backup2(std::move(delim));
    }
    NodePtr n = TextOrAction();
    if (failed()) return;
    if (n->type == NodeType::kEnd || n->type == NodeType::kElse) {
      Errorf("unexpected " + n->String());
      return;
    }
    root_->nodes.push_back(std::move(n));
  }
}

void TreeParser::ParseDefinition() {
  const char* context = "define clause";
  Item name = ExpectOneOf(ItemType::kString, ItemType::kRawString, context);
  if (failed()) return;
  if (!UnquoteString(name.val, &name_)) {
    Errorf("invalid syntax");
    return;
  }
  Expect(ItemType::kRightDelim, context);
  if (failed()) return;
  auto [list, end] = ItemList();
  if (failed()) return;
  if (end->type != NodeType::kEnd) {
    Errorf("unexpected " + end->String() + " in " + context);
    return;
  }
  root_ = std::move(list);
  Add();
}

std::pair<std::unique_ptr<ListNode>, NodePtr> TreeParser::ItemList() {
  auto list = NewList(PeekNonSpace().pos);
  while (!failed() && PeekNonSpace().type != ItemType::kEOF) {
    NodePtr n = TextOrAction();
    if (failed()) return {};
    if (n->type == NodeType::kEnd || n->type == NodeType::kElse)
      return {std::move(list), std::move(n)};
    list->nodes.push_back(std::move(n));
  }
  Errorf("unexpected EOF");
  return {};
}

NodePtr TreeParser::TextOrAction() {
  Item token = NextNonSpace();
  switch (token.type) {
    case ItemType::kText:
      return std::make_unique<TextNode>(token.pos, src_, token.val);
    case ItemType::kLeftDelim: {
      action_line_ = token.line;
      NodePtr n = Action();
      action_line_ = 0;
      return n;
    }
    case ItemType::kComment:
      return std::make_unique<CommentNode>(token.pos, src_, token.val);
    default:
      Unexpected(token, "input");
      return nullptr;
  }
}

NodePtr TreeParser::Action() {
  Item token = NextNonSpace();
  switch (token.type) {
    case ItemType::kBlock:
      return BlockControl();
    case ItemType::kBreak:
      return BreakControl(token.pos, token.line);
    case ItemType::kContinue:
      return ContinueControl(token.pos, token.line);
    case ItemType::kElse:
      return ElseControl();
    case ItemType::kEnd:
      return EndControl();
    case ItemType::kIf:
      return IfControl();
    case ItemType::kRange:
      return RangeControl();
    case ItemType::kTemplate:
      return TemplateControl();
    case ItemType::kWith:
      return WithControl();
    default:
      break;
  }
  Backup();
  Item t = Peek();
  auto pipe = Pipeline("command", ItemType::kRightDelim);
  if (failed()) return nullptr;
  return std::make_unique<ActionNode>(t.pos, src_, t.line, std::move(pipe));
}

NodePtr TreeParser::BreakControl(int pos, int line) {
  Item token = NextNonSpace();
  if (token.type != ItemType::kRightDelim) {
    Unexpected(token, "{{break}}");
    return nullptr;
  }
  if (range_depth_ == 0) {
    Errorf("{{break}} outside {{range}}");
    return nullptr;
  }
  return std::make_unique<BreakNode>(pos, src_, line);
}

NodePtr TreeParser::ContinueControl(int pos, int line) {
  Item token = NextNonSpace();
  if (token.type != ItemType::kRightDelim) {
    Unexpected(token, "{{continue}}");
    return nullptr;
  }
  if (range_depth_ == 0) {
    Errorf("{{continue}} outside {{range}}");
    return nullptr;
  }
  return std::make_unique<ContinueNode>(pos, src_, line);
}

std::unique_ptr<PipeNode> TreeParser::Pipeline(const std::string& context, ItemType end) {
  Item token = PeekNonSpace();
  auto pipe = std::make_unique<PipeNode>(token.pos, src_, token.line);
  // Declarations or assignments.
  for (bool again = true; again && !failed();) {
    again = false;
    Item v = PeekNonSpace();
    if (v.type != ItemType::kVariable) break;
    Next();
    // Three tokens of look-ahead: in "$x foo" we need "foo" (not ":=") to know that $x is an
    // argument rather than a declaration.
    Item token_after_variable = Peek();
    Item next = PeekNonSpace();
    if (next.type == ItemType::kAssign || next.type == ItemType::kDeclare) {
      pipe->is_assign = next.type == ItemType::kAssign;
      NextNonSpace();
      pipe->decl.push_back(std::make_unique<VariableNode>(v.pos, src_, Split(v.val, '.')));
      vars_.push_back(v.val);
    } else if (next.type == ItemType::kChar && next.val == ",") {
      NextNonSpace();
      pipe->decl.push_back(std::make_unique<VariableNode>(v.pos, src_, Split(v.val, '.')));
      vars_.push_back(v.val);
      if (context == "range" && pipe->decl.size() < 2) {
        switch (PeekNonSpace().type) {
          case ItemType::kVariable:
          case ItemType::kRightDelim:
          case ItemType::kRightParen:
            again = true;  // the second variable of a range
            continue;
          default:
            Errorf("range can only initialize variables");
            return nullptr;
        }
      }
      Errorf("too many declarations in " + context);
      return nullptr;
    } else if (token_after_variable.type == ItemType::kSpace) {
      Backup3(std::move(v), std::move(token_after_variable));
    } else {
      Backup2(std::move(v));
    }
  }
  while (!failed()) {
    Item t = NextNonSpace();
    if (t.type == end) {
      CheckPipeline(*pipe, context);
      if (failed()) return nullptr;
      return pipe;
    }
    switch (t.type) {
      case ItemType::kBool:
      case ItemType::kCharConstant:
      case ItemType::kComplex:
      case ItemType::kDot:
      case ItemType::kField:
      case ItemType::kIdentifier:
      case ItemType::kNumber:
      case ItemType::kNil:
      case ItemType::kRawString:
      case ItemType::kString:
      case ItemType::kVariable:
      case ItemType::kLeftParen: {
        Backup();
        auto cmd = Command();
        if (failed()) return nullptr;
        pipe->cmds.push_back(std::move(cmd));
        break;
      }
      default:
        Unexpected(t, context);
        return nullptr;
    }
  }
  return nullptr;
}

void TreeParser::CheckPipeline(const PipeNode& pipe, const std::string& context) {
  if (pipe.cmds.empty()) {
    Errorf("missing value for " + context);
    return;
  }
  for (size_t i = 1; i < pipe.cmds.size(); ++i) {
    switch (pipe.cmds[i]->args[0]->type) {
      case NodeType::kBool:
      case NodeType::kDot:
      case NodeType::kNil:
      case NodeType::kNumber:
      case NodeType::kString:
        Errorf("non executable command in pipeline stage " + std::to_string(i + 1));
        return;
      default:
        break;
    }
  }
}

std::unique_ptr<BranchNode> TreeParser::ParseControl(NodeType type, const char* context) {
  size_t vars_mark = vars_.size();
  auto pipe = Pipeline(context, ItemType::kRightDelim);
  if (failed()) return nullptr;
  if (type == NodeType::kRange) ++range_depth_;
  auto [list, next] = ItemList();
  if (type == NodeType::kRange) --range_depth_;
  if (failed()) return nullptr;
  std::unique_ptr<ListNode> else_list;
  if (next->type == NodeType::kElse) {
    // "{{else if}}" and "{{else with}}": the elseControl left the keyword pending; parse the
    // nested if or with up to its {{end}}, which closes both.
    if (type == NodeType::kIf && Peek().type == ItemType::kIf) {
      Next();
      else_list = NewList(next->pos);
      NodePtr inner = IfControl();
      if (failed()) return nullptr;
      else_list->nodes.push_back(std::move(inner));
    } else if (type == NodeType::kWith && Peek().type == ItemType::kWith) {
      Next();
      else_list = NewList(next->pos);
      NodePtr inner = WithControl();
      if (failed()) return nullptr;
      else_list->nodes.push_back(std::move(inner));
    } else {
      auto [elist, enext] = ItemList();
      if (failed()) return nullptr;
      if (enext->type != NodeType::kEnd) {
        Errorf("expected end; found " + enext->String());
        return nullptr;
      }
      else_list = std::move(elist);
    }
  }
  vars_.resize(vars_mark);
  auto node = std::make_unique<BranchNode>(type, pipe->pos, src_, pipe->line);
  node->pipe = std::move(pipe);
  node->list = std::move(list);
  node->else_list = std::move(else_list);
  return node;
}

NodePtr TreeParser::EndControl() {
  Item t = Expect(ItemType::kRightDelim, "end");
  if (failed()) return nullptr;
  return std::make_unique<EndNode>(t.pos, src_);
}

NodePtr TreeParser::ElseControl() {
  Item peek = PeekNonSpace();
  if (peek.type == ItemType::kIf || peek.type == ItemType::kWith) {
    return std::make_unique<ElseNode>(peek.pos, src_, peek.line);
  }
  Item t = Expect(ItemType::kRightDelim, "else");
  if (failed()) return nullptr;
  return std::make_unique<ElseNode>(t.pos, src_, t.line);
}

NodePtr TreeParser::BlockControl() {
  const char* context = "block clause";
  Item token = NextNonSpace();
  std::string name = ParseTemplateName(token, context);
  if (failed()) return nullptr;
  auto pipe = Pipeline(context, ItemType::kRightDelim);
  if (failed()) return nullptr;
  TreeParser block(lex_, name, source_, trees_, has_function_, err_);
  auto [root, end] = block.ItemList();
  if (failed()) return nullptr;
  if (end->type != NodeType::kEnd) {
    Errorf("unexpected " + end->String() + " in " + context);
    return nullptr;
  }
  block.root_ = std::move(root);
  block.Add();
  if (failed()) return nullptr;
  return std::make_unique<TemplateNode>(token.pos, src_, token.line, name, std::move(pipe));
}

NodePtr TreeParser::TemplateControl() {
  const char* context = "template clause";
  Item token = NextNonSpace();
  std::string name = ParseTemplateName(token, context);
  if (failed()) return nullptr;
  std::unique_ptr<PipeNode> pipe;
  if (NextNonSpace().type != ItemType::kRightDelim) {
    Backup();
    pipe = Pipeline(context, ItemType::kRightDelim);
    if (failed()) return nullptr;
  }
  return std::make_unique<TemplateNode>(token.pos, src_, token.line, name, std::move(pipe));
}

std::string TreeParser::ParseTemplateName(const Item& token, const char* context) {
  if (token.type == ItemType::kString || token.type == ItemType::kRawString) {
    std::string s;
    if (!UnquoteString(token.val, &s)) Errorf("invalid syntax");
    return s;
  }
  Unexpected(token, context);
  return "";
}

std::unique_ptr<CommandNode> TreeParser::Command() {
  auto cmd = std::make_unique<CommandNode>(PeekNonSpace().pos, src_);
  for (;;) {
    PeekNonSpace();  // skip leading spaces
    NodePtr operand = Operand();
    if (failed()) return nullptr;
    if (operand) cmd->args.push_back(std::move(operand));
    Item token = Next();
    if (token.type == ItemType::kSpace) continue;
    if (token.type == ItemType::kRightDelim || token.type == ItemType::kRightParen) {
      Backup();
    } else if (token.type != ItemType::kPipe) {
      Unexpected(token, "operand");
      return nullptr;
    }
    break;
  }
  if (cmd->args.empty()) {
    Errorf("empty command");
    return nullptr;
  }
  return cmd;
}

NodePtr TreeParser::Operand() {
  NodePtr node = Term();
  if (!node) return nullptr;
  if (Peek().type == ItemType::kField) {
    auto chain = std::make_unique<ChainNode>(Peek().pos, src_, nullptr);
    while (Peek().type == ItemType::kField) chain->field.push_back(Next().val.substr(1));
    switch (node->type) {
      case NodeType::kField: {
        std::string s = node->String();
        for (const auto& f : chain->field) s += "." + f;
        return std::make_unique<FieldNode>(chain->pos, src_,
                                           Split(std::string_view(s).substr(1), '.'));
      }
      case NodeType::kVariable: {
        std::string s = node->String();
        for (const auto& f : chain->field) s += "." + f;
        return std::make_unique<VariableNode>(chain->pos, src_, Split(s, '.'));
      }
      case NodeType::kBool:
      case NodeType::kString:
      case NodeType::kNumber:
      case NodeType::kNil:
      case NodeType::kDot:
        Errorf("unexpected . after term " + base::GoQuote(node->String()));
        return nullptr;
      default:
        chain->node = std::move(node);
        return chain;
    }
  }
  return node;
}

NodePtr TreeParser::Term() {
  Item token = NextNonSpace();
  switch (token.type) {
    case ItemType::kIdentifier:
      if (!has_function_(token.val)) {
        Errorf("function " + base::GoQuote(token.val) + " not defined");
        return nullptr;
      }
      return std::make_unique<IdentifierNode>(token.pos, src_, token.val);
    case ItemType::kDot:
      return std::make_unique<DotNode>(token.pos, src_);
    case ItemType::kNil:
      return std::make_unique<NilNode>(token.pos, src_);
    case ItemType::kVariable:
      return UseVar(token.pos, token.val);
    case ItemType::kField:
      return std::make_unique<FieldNode>(token.pos, src_,
                                         Split(std::string_view(token.val).substr(1), '.'));
    case ItemType::kBool:
      return std::make_unique<BoolNode>(token.pos, src_, token.val == "true");
    case ItemType::kCharConstant:
    case ItemType::kComplex:
    case ItemType::kNumber:
      return NewNumber(token.pos, token.val, token.type);
    case ItemType::kLeftParen:
      return Pipeline("parenthesized pipeline", ItemType::kRightParen);
    case ItemType::kString:
    case ItemType::kRawString: {
      std::string s;
      if (!UnquoteString(token.val, &s)) {
        Errorf("invalid syntax");
        return nullptr;
      }
      return std::make_unique<StringNode>(token.pos, src_, token.val, std::move(s));
    }
    default:
      break;
  }
  Backup();
  return nullptr;
}

NodePtr TreeParser::UseVar(int pos, const std::string& name) {
  auto v = std::make_unique<VariableNode>(pos, src_, Split(name, '.'));
  for (const auto& var : vars_)
    if (var == v->ident[0]) return v;
  Errorf("undefined variable " + base::GoQuote(v->ident[0]));
  return nullptr;
}

NodePtr TreeParser::NewNumber(int pos, const std::string& text, ItemType type) {
  auto n = std::make_unique<NumberNode>(pos, src_, text);
  if (type == ItemType::kCharConstant) {
    int32_t r;
    std::string_view tail;
    if (!UnquoteChar(std::string_view(text).substr(1), &r, &tail)) {
      Errorf("invalid syntax");
      return nullptr;
    }
    if (tail != "'") {
      Errorf("malformed character constant: " + text);
      return nullptr;
    }
    n->int64 = r;
    n->is_int = true;
    n->uint64 = static_cast<uint64_t>(r);
    n->is_uint = true;
    n->float64 = r;
    n->is_float = true;
    return n;
  }
  if (type == ItemType::kComplex || (!text.empty() && text.back() == 'i')) {
    // Go accepts complex constants; Hestia's values have no complex kind.
    Errorf("complex constant " + text + " is not supported");
    return nullptr;
  }
  uint64_t u;
  if (base::ParseGoUint(text, &u)) {
    n->is_uint = true;
    n->uint64 = u;
  }
  int64_t i;
  if (ParseGoInt(text, &i)) {
    n->is_int = true;
    n->int64 = i;
    if (i == 0) {
      n->is_uint = true;  // in case of -0
      n->uint64 = u;
    }
  }
  if (n->is_int) {
    n->is_float = true;
    n->float64 = static_cast<double>(n->int64);
  } else if (n->is_uint) {
    n->is_float = true;
    n->float64 = static_cast<double>(n->uint64);
  } else {
    double f;
    if (ParseGoFloat(text, &f)) {
      if (text.find_first_of(".eEpP") == std::string::npos) {
        Errorf("integer overflow: " + base::GoQuote(text));
        return nullptr;
      }
      n->is_float = true;
      n->float64 = f;
      if (!n->is_int && f >= -9223372036854775808.0 && f < 9223372036854775808.0 &&
          static_cast<double>(static_cast<int64_t>(f)) == f) {
        n->is_int = true;
        n->int64 = static_cast<int64_t>(f);
      }
      if (!n->is_uint && f >= 0 && f < 18446744073709551616.0 &&
          static_cast<double>(static_cast<uint64_t>(f)) == f) {
        n->is_uint = true;
        n->uint64 = static_cast<uint64_t>(f);
      }
    }
  }
  if (!n->is_int && !n->is_uint && !n->is_float) {
    Errorf("illegal number syntax: " + base::GoQuote(text));
    return nullptr;
  }
  return n;
}

}  // namespace

bool IsEmptyTree(const Node* n) {
  if (n == nullptr) return true;
  switch (n->type) {
    case NodeType::kComment:
      return true;
    case NodeType::kList:
      for (const auto& c : static_cast<const ListNode*>(n)->nodes)
        if (!IsEmptyTree(c.get())) return false;
      return true;
    case NodeType::kText: {
      const std::string& t = static_cast<const TextNode*>(n)->text;
      return t.find_first_not_of(" \t\n\v\f\r") == std::string::npos;
    }
    default:
      return false;
  }
}

void TemplateNode::WriteTo(std::string* out) const {
  *out += "{{template " + base::GoQuote(name);
  if (pipe) {
    out->push_back(' ');
    pipe->WriteTo(out);
  }
  *out += "}}";
}

bool ParseGoInt(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  uint64_t u;
  if (!base::ParseGoUint(s, &u)) return false;
  constexpr uint64_t kCutoff = uint64_t{1} << 63;
  if (!neg && u >= kCutoff) return false;
  if (neg && u > kCutoff) return false;
  *out = neg ? static_cast<int64_t>(0 - u) : static_cast<int64_t>(u);
  return true;
}

bool ParseGoFloat(std::string_view s, double* out) {
  return ParseGoFloatChecked(s, out) == FloatParse::kOk;
}

FloatParse ParseGoFloatChecked(std::string_view s, double* out) {
  if (s.empty()) return FloatParse::kSyntax;
  std::string clean;
  bool underscores = false;
  for (char c : s) {
    if (c == '_') {
      underscores = true;
    } else {
      clean.push_back(c);
    }
  }
  if (underscores && !base::GoUnderscoreOk(s)) return FloatParse::kSyntax;
  std::string_view body = clean;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) body.remove_prefix(1);
  if (body.empty()) return FloatParse::kSyntax;
  bool hex = body.size() >= 2 && body[0] == '0' && Lower(body[1]) == 'x';
  for (char c : body) {
    bool ok = (c >= '0' && c <= '9') || c == '.' ||
              (hex ? (Lower(c) >= 'a' && Lower(c) <= 'f') || Lower(c) == 'x' || Lower(c) == 'p' ||
                         c == '+' || c == '-'
                   : Lower(c) == 'e' || c == '+' || c == '-');
    if (!ok) return FloatParse::kSyntax;
  }
  if (hex && body.find_first_of("pP") == std::string_view::npos) return FloatParse::kSyntax;
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(clean.c_str(), &end);
  if (end != clean.c_str() + clean.size()) return FloatParse::kSyntax;
  if (std::isinf(v)) return FloatParse::kRange;
  *out = v;
  return FloatParse::kOk;
}

base::Status Parse(std::string_view name, std::string_view text,
                   const std::function<bool(std::string_view)>& has_function, TreeSet* trees) {
  auto source = std::make_shared<Source>(Source{std::string(name), std::string(text)});
  Lexer lex(source->text, !has_function("break"), !has_function("continue"));
  base::Status err;
  TreeParser t(&lex, std::string(name), source, trees, has_function, &err);
  t.ParseTop();
  t.Add();
  return err;
}

}  // namespace tmpl::detail
