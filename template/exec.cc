// Template execution: Go's text/template/exec.go, step for step, so that results and error
// messages (including which expression an error names) match Go's.
#include <string>
#include <utility>
#include <vector>

#include "base/quote.h"
#include "template/detail/node.h"
#include "template/go_fmt.h"
#include "template/template.h"

namespace tmpl {

using detail::BranchNode;
using detail::ChainNode;
using detail::CommandNode;
using detail::FieldNode;
using detail::IdentifierNode;
using detail::ListNode;
using detail::Node;
using detail::NodeType;
using detail::NumberNode;
using detail::PipeNode;
using detail::VariableNode;

namespace {

// Go allows 100000 nested template invocations; a C++ stack does not, so runaway recursion
// stops earlier.
constexpr int kMaxExecDepth = 1000;

bool CanBeNil(std::string_view typ) {
  return typ.empty() || typ == kAnyType || typ == kReflectValueType || typ.starts_with("*") ||
         typ.starts_with("[]") || typ.starts_with("map[") || typ.starts_with("func(");
}

bool IsHexInt(std::string_view s) {
  return s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
         s.find_first_of("pP") == std::string_view::npos;
}

}  // namespace

// The state of one execution (Go's state): the template being run, the variable stack and the
// node being evaluated, which errors name.
class ExecState {
 public:
  ExecState(const Template& set, std::string name, std::string* out)
      : set_(set), name_(std::move(name)), out_(out) {}

  base::Status Run(const Value& data, const detail::Tree& tree) {
    vars_.push_back({"$", data});
    return Walk(data, tree.root.get());
  }

 private:
  enum class Flow { kNone, kBreak, kContinue };
  struct Variable {
    std::string name;
    Value value;
  };

  base::Status Errorf(const std::string& msg) const {
    std::string text;
    if (node_ == nullptr) {
      text = "template: " + name_ + ": " + msg;
    } else {
      const std::string& src = node_->source->text;
      size_t pos = static_cast<size_t>(node_->pos);
      std::string_view before = std::string_view(src).substr(0, pos);
      size_t nl = before.rfind('\n');
      size_t col = nl == std::string_view::npos ? pos : pos - (nl + 1);
      size_t line = 1;
      for (char c : before) line += c == '\n';
      text = "template: " + node_->source->parse_name + ":" + std::to_string(line) + ":" +
             std::to_string(col) + ": executing " + base::GoQuote(name_) + " at <" +
             node_->String() + ">: " + msg;
    }
    return base::Status(base::StatusCode::kExecution, std::move(text));
  }

  void At(const Node* n) { node_ = n; }
  size_t Mark() const { return vars_.size(); }
  void Pop(size_t mark) { vars_.resize(mark); }

  base::Status SetVar(const std::string& name, const Value& v) {
    for (size_t i = vars_.size(); i-- > 0;) {
      if (vars_[i].name == name) {
        vars_[i].value = v;
        return base::Status::Ok();
      }
    }
    return Errorf("undefined variable: " + name);
  }

  base::Result<Value> VarValue(const std::string& name) {
    for (size_t i = vars_.size(); i-- > 0;)
      if (vars_[i].name == name) return vars_[i].value;
    return Errorf("undefined variable: " + name);
  }

  base::Status Walk(const Value& dot, const Node* node);
  base::Status WalkIfOrWith(NodeType type, const Value& dot, const BranchNode* b);
  base::Status WalkRange(const Value& dot, const BranchNode* r);
  base::Status WalkTemplate(const Value& dot, const detail::TemplateNode* t);
  base::Result<Value> EvalPipeline(const Value& dot, const PipeNode* pipe);
  base::Status NotAFunction(const std::vector<detail::NodePtr>* args, const Value* final);
  base::Result<Value> EvalCommand(const Value& dot, const CommandNode* cmd, const Value* final);
  base::Result<Value> IdealConstant(const NumberNode* c);
  base::Result<Value> EvalFieldNode(const Value& dot, const FieldNode* field,
                                    const std::vector<detail::NodePtr>* args, const Value* final);
  base::Result<Value> EvalChainNode(const Value& dot, const ChainNode* chain,
                                    const std::vector<detail::NodePtr>* args, const Value* final);
  base::Result<Value> EvalVariableNode(const Value& dot, const VariableNode* v,
                                       const std::vector<detail::NodePtr>* args,
                                       const Value* final);
  base::Result<Value> EvalFieldChain(const Value& dot, Value receiver, const Node* node,
                                     const std::vector<std::string>& ident, size_t first,
                                     const std::vector<detail::NodePtr>* args, const Value* final);
  base::Result<Value> EvalFunction(const Value& dot, const IdentifierNode* node, const Node* cmd,
                                   const std::vector<detail::NodePtr>* args, const Value* final);
  base::Result<Value> EvalField(const Value& dot, const std::string& field_name, const Node* node,
                                const std::vector<detail::NodePtr>* args, const Value* final,
                                const Value& receiver);
  base::Result<Value> EvalCall(const Value& dot, const Func& fn, const Value* receiver,
                               bool is_builtin, const Node* node, const std::string& name,
                               const std::vector<detail::NodePtr>* args, const Value* final);
  base::Result<Value> ValidateType(const Value& value, std::string_view typ);
  base::Result<Value> EvalArg(const Value& dot, std::string_view typ, const Node* n);
  base::Result<Value> EvalEmptyInterface(const Value& dot, const Node* n);
  base::Status PrintValue(const Node* n, const Value& v);

  const Template& set_;
  std::string name_;  // the template being executed
  std::string* out_;
  const Node* node_ = nullptr;
  std::vector<Variable> vars_;
  int depth_ = 0;
  Flow flow_ = Flow::kNone;
};

base::Status ExecState::Walk(const Value& dot, const Node* node) {
  At(node);
  switch (node->type) {
    case NodeType::kAction: {
      const auto* a = static_cast<const detail::ActionNode*>(node);
      // Variables declared here persist until the enclosing end; a declaration prints nothing.
      ASSIGN_OR_RETURN(Value val, EvalPipeline(dot, a->pipe.get()));
      if (a->pipe->decl.empty()) return PrintValue(node, val);
      return base::Status::Ok();
    }
    case NodeType::kBreak:
      flow_ = Flow::kBreak;
      return base::Status::Ok();
    case NodeType::kContinue:
      flow_ = Flow::kContinue;
      return base::Status::Ok();
    case NodeType::kComment:
      return base::Status::Ok();
    case NodeType::kIf:
    case NodeType::kWith:
      return WalkIfOrWith(node->type, dot, static_cast<const BranchNode*>(node));
    case NodeType::kList:
      for (const auto& n : static_cast<const ListNode*>(node)->nodes) {
        RETURN_IF_ERROR(Walk(dot, n.get()));
        if (flow_ != Flow::kNone) break;
      }
      return base::Status::Ok();
    case NodeType::kRange:
      return WalkRange(dot, static_cast<const BranchNode*>(node));
    case NodeType::kTemplate:
      return WalkTemplate(dot, static_cast<const detail::TemplateNode*>(node));
    case NodeType::kText:
      *out_ += static_cast<const detail::TextNode*>(node)->text;
      return base::Status::Ok();
    default:
      return Errorf("unknown node: " + node->String());
  }
}

base::Status ExecState::WalkIfOrWith(NodeType type, const Value& dot, const BranchNode* b) {
  size_t mark = Mark();
  ASSIGN_OR_RETURN(Value val, EvalPipeline(dot, b->pipe.get()));
  base::Status s;
  if (IsTrue(val)) {
    s = Walk(type == NodeType::kWith ? val : dot, b->list.get());
  } else if (b->else_list) {
    s = Walk(dot, b->else_list.get());
  }
  Pop(mark);
  return s;
}

base::Status ExecState::WalkRange(const Value& dot, const BranchNode* r) {
  At(r);
  size_t outer = Mark();
  ASSIGN_OR_RETURN(Value val, EvalPipeline(dot, r->pipe.get()));
  size_t mark = Mark();
  const size_t ndecl = r->pipe->decl.size();
  // Runs the body once; returns false when a {{break}} ends the loop.
  auto one = [&](const Value& index, const Value& elem) -> base::Result<bool> {
    if (ndecl > 0) vars_[vars_.size() - 1].value = elem;
    if (ndecl > 1) vars_[vars_.size() - 2].value = index;
    base::Status s = Walk(elem, r->list.get());
    Pop(mark);
    if (!s.ok()) return s;
    Flow f = flow_;
    flow_ = Flow::kNone;
    return f != Flow::kBreak;
  };
  bool ran = false;
  switch (val.kind()) {
    case Value::Kind::kList:
      for (size_t i = 0; i < val.list().size(); ++i) {
        ran = true;
        const Value& e = val.list()[i];
        ASSIGN_OR_RETURN(bool go_on, one(Value::Int(static_cast<int64_t>(i)),
                                         val.elem_type() == kAnyType ? e.Boxed() : e));
        if (!go_on) break;
      }
      break;
    case Value::Kind::kMap:
      for (const auto& [k, e] : val.map()) {
        ran = true;
        ASSIGN_OR_RETURN(bool go_on,
                         one(Value::String(k), val.elem_type() == kAnyType ? e.Boxed() : e));
        if (!go_on) break;
      }
      break;
    case Value::Kind::kInt:
    case Value::Kind::kDuration: {
      if (ndecl > 1) {
        Pop(outer);
        return Errorf("can't use " + FormatValue(val) + " to iterate over more than one variable");
      }
      int64_t n = val.kind() == Value::Kind::kInt ? val.int_value() : val.duration().ns;
      for (int64_t i = 0; i < n; ++i) {
        ran = true;
        Value v = val.kind() == Value::Kind::kInt ? Value::Int(i) : Value::FromDuration({i});
        ASSIGN_OR_RETURN(bool go_on, one(v, v));
        if (!go_on) break;
      }
      break;
    }
    case Value::Kind::kInvalid:
      break;  // a nil map or the like acts as empty
    default:
      Pop(outer);
      return Errorf("range can't iterate over " + FormatValue(val));
  }
  base::Status s;
  if (!ran && r->else_list) s = Walk(dot, r->else_list.get());
  Pop(outer);
  return s;
}

base::Status ExecState::WalkTemplate(const Value& dot, const detail::TemplateNode* t) {
  At(t);
  auto it = set_.trees_.find(t->name);
  if (it == set_.trees_.end() || !it->second->root) {
    return Errorf("template " + base::GoQuote(t->name) + " not defined");
  }
  if (depth_ == kMaxExecDepth) {
    return Errorf("exceeded maximum template depth (" + std::to_string(kMaxExecDepth) + ")");
  }
  ASSIGN_OR_RETURN(Value new_dot, EvalPipeline(dot, t->pipe.get()));
  // No dynamic scoping: the invoked template sees only $.
  ExecState inner(set_, t->name, out_);
  inner.depth_ = depth_ + 1;
  inner.vars_.push_back({"$", new_dot});
  return inner.Walk(new_dot, it->second->root.get());
}

base::Result<Value> ExecState::EvalPipeline(const Value& dot, const PipeNode* pipe) {
  if (pipe == nullptr) return Value();
  At(pipe);
  Value value;
  bool have = false;
  for (const auto& cmd : pipe->cmds) {
    ASSIGN_OR_RETURN(value, EvalCommand(dot, cmd.get(), have ? &value : nullptr));
    // A value of type interface{} is replaced by the value inside it.
    if (value.boxed()) value = value.Unboxed();
    have = true;
  }
  for (const auto& v : pipe->decl) {
    if (pipe->is_assign) {
      RETURN_IF_ERROR(SetVar(v->ident[0], value));
    } else {
      vars_.push_back({v->ident[0], value});
    }
  }
  return value;
}

base::Status ExecState::NotAFunction(const std::vector<detail::NodePtr>* args, const Value* final) {
  if ((args != nullptr && args->size() > 1) || final != nullptr) {
    return Errorf("can't give argument to non-function " + (*args)[0]->String());
  }
  return base::Status::Ok();
}

base::Result<Value> ExecState::EvalCommand(const Value& dot, const CommandNode* cmd,
                                           const Value* final) {
  const Node* first = cmd->args[0].get();
  switch (first->type) {
    case NodeType::kField:
      return EvalFieldNode(dot, static_cast<const FieldNode*>(first), &cmd->args, final);
    case NodeType::kChain:
      return EvalChainNode(dot, static_cast<const ChainNode*>(first), &cmd->args, final);
    case NodeType::kIdentifier:
      return EvalFunction(dot, static_cast<const IdentifierNode*>(first), cmd, &cmd->args, final);
    case NodeType::kPipe:
      RETURN_IF_ERROR(NotAFunction(&cmd->args, final));
      return EvalPipeline(dot, static_cast<const PipeNode*>(first));
    case NodeType::kVariable:
      return EvalVariableNode(dot, static_cast<const VariableNode*>(first), &cmd->args, final);
    default:
      break;
  }
  At(first);
  RETURN_IF_ERROR(NotAFunction(&cmd->args, final));
  switch (first->type) {
    case NodeType::kBool:
      return Value::Bool(static_cast<const detail::BoolNode*>(first)->value);
    case NodeType::kDot:
      return dot;
    case NodeType::kNil:
      return Errorf("nil is not a command");
    case NodeType::kNumber:
      return IdealConstant(static_cast<const NumberNode*>(first));
    case NodeType::kString:
      return Value::String(static_cast<const detail::StringNode*>(first)->text);
    default:
      return Errorf("can't evaluate command " + base::GoQuote(first->String()));
  }
}

base::Result<Value> ExecState::IdealConstant(const NumberNode* c) {
  // An untyped constant: its syntax picks the type, as Go's rules for ideal constants.
  At(c);
  if (c->is_float && !IsHexInt(c->text) && c->text[0] != '\'' &&
      c->text.find_first_of(".eEpP") != std::string::npos) {
    return Value::Float(c->float64);
  }
  if (c->is_int) return Value::Int(c->int64);
  if (c->is_uint) return Errorf(c->text + " overflows int");
  return Value();
}

base::Result<Value> ExecState::EvalFieldNode(const Value& dot, const FieldNode* field,
                                             const std::vector<detail::NodePtr>* args,
                                             const Value* final) {
  At(field);
  return EvalFieldChain(dot, dot, field, field->ident, 0, args, final);
}

base::Result<Value> ExecState::EvalChainNode(const Value& dot, const ChainNode* chain,
                                             const std::vector<detail::NodePtr>* args,
                                             const Value* final) {
  At(chain);
  if (chain->field.empty()) return Errorf("internal error: no fields in evalChainNode");
  if (chain->node->type == NodeType::kNil) {
    return Errorf("indirection through explicit nil in " + chain->String());
  }
  // (pipe).Field1.Field2: evaluate the pipeline, then the fields.
  ASSIGN_OR_RETURN(Value pipe, EvalArg(dot, "", chain->node.get()));
  return EvalFieldChain(dot, pipe, chain, chain->field, 0, args, final);
}

base::Result<Value> ExecState::EvalVariableNode(const Value& dot, const VariableNode* v,
                                                const std::vector<detail::NodePtr>* args,
                                                const Value* final) {
  At(v);
  ASSIGN_OR_RETURN(Value value, VarValue(v->ident[0]));
  if (v->ident.size() == 1) {
    RETURN_IF_ERROR(NotAFunction(args, final));
    return value;
  }
  return EvalFieldChain(dot, value, v, v->ident, 1, args, final);
}

base::Result<Value> ExecState::EvalFieldChain(const Value& dot, Value receiver, const Node* node,
                                              const std::vector<std::string>& ident, size_t first,
                                              const std::vector<detail::NodePtr>* args,
                                              const Value* final) {
  size_t n = ident.size();
  for (size_t i = first; i + 1 < n; ++i) {
    ASSIGN_OR_RETURN(receiver, EvalField(dot, ident[i], node, nullptr, nullptr, receiver));
  }
  return EvalField(dot, ident[n - 1], node, args, final, receiver);
}

base::Result<Value> ExecState::EvalFunction(const Value& dot, const IdentifierNode* node,
                                            const Node* cmd,
                                            const std::vector<detail::NodePtr>* args,
                                            const Value* final) {
  At(node);
  const std::string& name = node->ident;
  const FuncMap& user = set_.funcs();
  if (auto it = user.find(name); it != user.end()) {
    return EvalCall(dot, it->second, nullptr, false, cmd, name, args, final);
  }
  const FuncMap& builtins = BuiltinFuncs();
  if (auto it = builtins.find(name); it != builtins.end()) {
    return EvalCall(dot, it->second, nullptr, true, cmd, name, args, final);
  }
  return Errorf(base::GoQuote(name) + " is not a defined function");
}

base::Result<Value> ExecState::EvalField(const Value& dot, const std::string& field_name,
                                         const Node* node, const std::vector<detail::NodePtr>* args,
                                         const Value* final, const Value& receiver) {
  if (!receiver.valid()) {
    if (receiver.boxed()) {
      // A nil interface{} element, as opposed to a missing one.
      return Errorf("nil pointer evaluating interface {}." + field_name);
    }
    if (set_.options().missing_key == MissingKey::kError) {
      return Errorf("nil data; no entry for key " + base::GoQuote(field_name));
    }
    return Value();
  }
  if (const Func* method = receiver.Method(field_name)) {
    return EvalCall(dot, *method, &receiver, false, node, field_name, args, final);
  }
  bool has_args = (args != nullptr && args->size() > 1) || final != nullptr;
  if (receiver.kind() == Value::Kind::kStruct) {
    if (const Value* f = receiver.Field(field_name)) {
      if (has_args) return Errorf(field_name + " has arguments but cannot be invoked as function");
      return *f;
    }
  } else if (receiver.kind() == Value::Kind::kMap) {
    if (has_args) return Errorf(field_name + " is not a method but has arguments");
    auto it = receiver.map().find(field_name);
    if (it != receiver.map().end()) {
      return receiver.elem_type() == kAnyType ? it->second.Boxed() : it->second;
    }
    switch (set_.options().missing_key) {
      case MissingKey::kInvalid:
        return Value();
      case MissingKey::kZero:
        // The zero value of the element type: "" or a nil interface{}.
        return receiver.elem_type() == "string" ? Value::String("") : Value().Boxed();
      case MissingKey::kError:
        return Errorf("map has no entry for key " + base::GoQuote(field_name));
    }
  }
  return Errorf("can't evaluate field " + field_name + " in type " +
                (receiver.boxed() ? std::string(kAnyType) : receiver.TypeName()));
}

base::Result<Value> ExecState::EvalCall(const Value& dot, const Func& fn, const Value* receiver,
                                        bool is_builtin, const Node* node, const std::string& name,
                                        const std::vector<detail::NodePtr>* all_args,
                                        const Value* final) {
  // all_args[0] is the function or method itself, as in a shell command line.
  std::vector<const Node*> args;
  if (all_args != nullptr) {
    for (size_t i = 1; i < all_args->size(); ++i) args.push_back((*all_args)[i].get());
  }
  const bool variadic = !fn.variadic.empty();
  size_t num_in = args.size() + (final != nullptr ? 1 : 0);
  size_t num_fixed = args.size();
  if (variadic) {
    num_fixed = fn.params.size();
    if (num_in < num_fixed) {
      return Errorf("wrong number of args for " + name + ": want at least " +
                    std::to_string(fn.params.size()) + " got " + std::to_string(args.size()));
    }
  } else if (num_in != fn.params.size()) {
    return Errorf("wrong number of args for " + name + ": want " +
                  std::to_string(fn.params.size()) + " got " + std::to_string(num_in));
  }

  // The builtin and/or evaluate their arguments lazily and return one of them.
  if (is_builtin && (name == "and" || name == "or")) {
    const std::string& arg_type = fn.params[0];
    Value v;
    for (const Node* arg : args) {
      ASSIGN_OR_RETURN(v, EvalArg(dot, arg_type, arg));
      if (IsTrue(v) == (name == "or")) return v;
    }
    if (final != nullptr) {
      ASSIGN_OR_RETURN(v, ValidateType(*final, arg_type));
    }
    return v;
  }

  std::vector<Value> argv;
  argv.reserve(num_in + 1);
  if (receiver != nullptr) argv.push_back(*receiver);
  size_t i = 0;
  for (; i < num_fixed && i < args.size(); ++i) {
    ASSIGN_OR_RETURN(Value v, EvalArg(dot, fn.params[i], args[i]));
    argv.push_back(std::move(v));
  }
  if (variadic) {
    for (; i < args.size(); ++i) {
      ASSIGN_OR_RETURN(Value v, EvalArg(dot, fn.variadic, args[i]));
      argv.push_back(std::move(v));
    }
  }
  if (final != nullptr) {
    std::string_view t;
    if (variadic) {
      t = num_in - 1 < num_fixed ? std::string_view(fn.params[num_in - 1])
                                 : std::string_view(fn.variadic);
    } else {
      t = fn.params.back();
    }
    ASSIGN_OR_RETURN(Value v, ValidateType(*final, t));
    argv.push_back(std::move(v));
  }
  base::Result<Value> result = fn.impl(argv);
  if (!result.ok()) {
    At(node);
    return Errorf("error calling " + name + ": " + result.error().message());
  }
  return result;
}

base::Result<Value> ExecState::ValidateType(const Value& value, std::string_view typ) {
  if (!value.valid()) {
    if (typ == kReflectValueType) return value;
    if (CanBeNil(typ)) return Value();
    if (value.boxed()) {
      return Errorf("wrong type for value; expected " + std::string(typ) + "; got interface {}");
    }
    return Errorf("invalid value; expected " + std::string(typ));
  }
  if (typ == kReflectValueType) return value;
  if (typ.empty() || typ == kAnyType) return value.Unboxed();
  std::string have = value.TypeName();
  if (have == typ) return value.Unboxed();
  // One automatic dereference, as Go does for a *T where a T is wanted.
  if (have.size() == typ.size() + 1 && have[0] == '*' && std::string_view(have).substr(1) == typ) {
    return value.WithType(nullptr);
  }
  return Errorf("wrong type for value; expected " + std::string(typ) + "; got " + have);
}

base::Result<Value> ExecState::EvalArg(const Value& dot, std::string_view typ, const Node* n) {
  At(n);
  switch (n->type) {
    case NodeType::kDot:
      return ValidateType(dot, typ);
    case NodeType::kNil:
      if (CanBeNil(typ)) return Value();
      return Errorf("cannot assign nil to " + std::string(typ));
    case NodeType::kField: {
      // The node itself is the single "argument": no arguments for the field.
      ASSIGN_OR_RETURN(Value v, EvalFieldChain(dot, dot, n, static_cast<const FieldNode*>(n)->ident,
                                               0, nullptr, nullptr));
      return ValidateType(v, typ);
    }
    case NodeType::kVariable: {
      ASSIGN_OR_RETURN(
          Value v, EvalVariableNode(dot, static_cast<const VariableNode*>(n), nullptr, nullptr));
      return ValidateType(v, typ);
    }
    case NodeType::kPipe: {
      ASSIGN_OR_RETURN(Value v, EvalPipeline(dot, static_cast<const PipeNode*>(n)));
      return ValidateType(v, typ);
    }
    case NodeType::kIdentifier: {
      ASSIGN_OR_RETURN(
          Value v, EvalFunction(dot, static_cast<const IdentifierNode*>(n), n, nullptr, nullptr));
      return ValidateType(v, typ);
    }
    case NodeType::kChain: {
      ASSIGN_OR_RETURN(Value v,
                       EvalChainNode(dot, static_cast<const ChainNode*>(n), nullptr, nullptr));
      return ValidateType(v, typ);
    }
    default:
      break;
  }
  if (typ == "bool") {
    At(n);
    if (n->type == NodeType::kBool)
      return Value::Bool(static_cast<const detail::BoolNode*>(n)->value);
    return Errorf("expected bool; found " + n->String());
  }
  if (typ == "float64") {
    At(n);
    if (n->type == NodeType::kNumber && static_cast<const NumberNode*>(n)->is_float) {
      return Value::Float(static_cast<const NumberNode*>(n)->float64);
    }
    return Errorf("expected float; found " + n->String());
  }
  if (typ == "int") {
    At(n);
    if (n->type == NodeType::kNumber && static_cast<const NumberNode*>(n)->is_int) {
      return Value::Int(static_cast<const NumberNode*>(n)->int64);
    }
    return Errorf("expected integer; found " + n->String());
  }
  if (typ == "string") {
    At(n);
    if (n->type == NodeType::kString) {
      return Value::String(static_cast<const detail::StringNode*>(n)->text);
    }
    return Errorf("expected string; found " + n->String());
  }
  if (typ == kAnyType || typ == kReflectValueType) return EvalEmptyInterface(dot, n);
  return Errorf("can't handle " + n->String() + " for arg of type " + std::string(typ));
}

base::Result<Value> ExecState::EvalEmptyInterface(const Value& dot, const Node* n) {
  At(n);
  switch (n->type) {
    case NodeType::kBool:
      return Value::Bool(static_cast<const detail::BoolNode*>(n)->value);
    case NodeType::kDot:
      return dot;
    case NodeType::kField:
      return EvalFieldNode(dot, static_cast<const FieldNode*>(n), nullptr, nullptr);
    case NodeType::kIdentifier:
      return EvalFunction(dot, static_cast<const IdentifierNode*>(n), n, nullptr, nullptr);
    case NodeType::kNil:
      return Errorf("evalEmptyInterface: nil (can't happen)");
    case NodeType::kNumber:
      return IdealConstant(static_cast<const NumberNode*>(n));
    case NodeType::kString:
      return Value::String(static_cast<const detail::StringNode*>(n)->text);
    case NodeType::kVariable:
      return EvalVariableNode(dot, static_cast<const VariableNode*>(n), nullptr, nullptr);
    case NodeType::kPipe:
      return EvalPipeline(dot, static_cast<const PipeNode*>(n));
    default:
      return Errorf("can't handle assignment of " + n->String() + " to empty interface argument");
  }
}

base::Status ExecState::PrintValue(const Node* n, const Value& v) {
  At(n);
  if (!v.valid()) {
    *out_ += "<no value>";
    return base::Status::Ok();
  }
  if (v.kind() == Value::Kind::kFunc) {
    return Errorf("can't print " + n->String() + " of type " + v.TypeName());
  }
  *out_ += FormatActionValue(v);
  return base::Status::Ok();
}

base::Result<std::string> Template::Execute(const Value& data) const {
  return ExecuteTemplate(name_, data);
}

base::Result<std::string> Template::ExecuteTemplate(std::string_view name,
                                                    const Value& data) const {
  auto it = trees_.find(name);
  if (it == trees_.end()) {
    if (name == name_) {
      return base::Status(base::StatusCode::kExecution, "template: " + name_ + ": " +
                                                            base::GoQuote(name_) +
                                                            " is an incomplete or empty template");
    }
    return base::Status(base::StatusCode::kExecution,
                        "template: no template " + base::GoQuote(name) +
                            " associated with template " + base::GoQuote(name_));
  }
  std::string out;
  ExecState state(*this, std::string(name), &out);
  RETURN_IF_ERROR(state.Run(data, *it->second));
  return out;
}

}  // namespace tmpl
