#include "template/template.h"

#include "base/quote.h"
#include "template/detail/parse.h"

namespace tmpl {

Template::Template(std::string name, FuncMap funcs, Options options)
    : name_(std::move(name)),
      funcs_(std::make_shared<const FuncMap>(std::move(funcs))),
      options_(options) {}

base::Result<Template> Template::Parse(std::string_view name, std::string_view text, FuncMap funcs,
                                       Options options) {
  Template t(std::string(name), std::move(funcs), options);
  RETURN_IF_ERROR(t.AddParse(name, text));
  return t;
}

base::Status Template::AddParse(std::string_view name, std::string_view text) {
  const FuncMap& user = *funcs_;
  const FuncMap& builtins = BuiltinFuncs();
  auto has_function = [&](std::string_view fn) {
    return user.find(fn) != user.end() || builtins.find(fn) != builtins.end();
  };
  detail::TreeSet parsed;
  RETURN_IF_ERROR(detail::Parse(name, text, has_function, &parsed));
  for (auto& [n, tree] : parsed) {
    auto it = trees_.find(n);
    // As Go's associate: an empty definition does not replace an existing one.
    if (it != trees_.end() && detail::IsEmptyTree(tree->root.get())) continue;
    trees_[n] = std::shared_ptr<const detail::Tree>(std::move(tree));
  }
  return base::Status::Ok();
}

bool Template::HasTemplate(std::string_view name) const {
  auto it = trees_.find(name);
  return it != trees_.end() && it->second->root != nullptr;
}

std::string Template::DefinedTemplates() const {
  std::string out;
  for (const auto& [n, tree] : trees_) {
    if (!tree->root) continue;
    out += out.empty() ? "; defined templates are: " : ", ";
    out += base::GoQuote(n);
  }
  return out;
}

}  // namespace tmpl
