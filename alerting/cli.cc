#include "alerting/cli.h"

#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "alerting/config/config.h"
#include "alerting/matchers.h"
#include "alerting/route.h"
#include "template/alertmanager_funcs.h"
#include "template/template.h"

namespace alerting {
namespace {

constexpr std::string_view kErrorPrefix = "hestia: error: ";

// A tree drawn as amtool draws it with the xlab/treeprint revision Debian builds amtool with
// (git 2018-11-12): "├── ", "└── ", continuation "│" + two no-break spaces + a space, four
// spaces under a last child.
struct TreeNode {
  std::string value;
  std::vector<std::unique_ptr<TreeNode>> children;
  TreeNode* AddBranch(std::string v) {
    children.push_back(std::make_unique<TreeNode>());
    children.back()->value = std::move(v);
    return children.back().get();
  }
};

void PrintNodes(std::string& out, int level, std::vector<int> levels_ended,
                const std::vector<std::unique_ptr<TreeNode>>& nodes) {
  for (size_t i = 0; i < nodes.size(); ++i) {
    const char* edge = "\u251c\u2500\u2500";  // ├──
    if (i + 1 == nodes.size()) {
      levels_ended.push_back(level);
      edge = "\u2514\u2500\u2500";  // └──
    }
    for (int l = 0; l < level; ++l) {
      bool ended = std::find(levels_ended.begin(), levels_ended.end(), l) != levels_ended.end();
      out += ended ? "    " : "\u2502\u00a0\u00a0 ";
    }
    out += edge;
    out += ' ';
    out += nodes[i]->value;
    out += '\n';
    if (!nodes[i]->children.empty()) PrintNodes(out, level + 1, levels_ended, nodes[i]->children);
  }
}

std::string RenderTree(const TreeNode& root) {
  std::string out = root.value + "\n";
  PrintNodes(out, 0, {}, root.children);
  return out;
}

// cli/routing.go getRouteTreeSlug.
std::string Slug(const Route& r, bool show_continue, bool show_receiver) {
  std::string s = r.matchers().empty() ? "default-route" : MatchersToString(r.matchers());
  if (r.continue_matching() && show_continue) s += "  continue: true";
  if (show_receiver) s += "  receiver: " + r.opts().receiver;
  return s;
}

void MatchingTree(const Route& route, TreeNode* tree, const model::Labels& labels) {
  bool final = true;
  TreeNode* branch = tree->AddBranch(Slug(route, false, false));
  for (const auto& child : route.routes()) {
    if (MatchesAll(child->matchers(), labels)) {
      MatchingTree(*child, branch, labels);
      final = false;
      if (!child->continue_matching()) break;
    }
  }
  if (final) branch->value = Slug(route, false, true);
}

void WholeTree(const Route& route, TreeNode* tree) {
  TreeNode* branch = tree->AddBranch(Slug(route, true, true));
  for (const auto& child : route.routes()) WholeTree(*child, branch);
}

// kingpin's ExistingFile check.
std::string CheckExisting(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return "path '" + path + "' does not exist";
  if (S_ISDIR(st.st_mode)) return "'" + path + "' is a directory";
  return "";
}

// The flags of `amtool config routes [show|test]`, parsed as kingpin does.
struct RoutesFlags {
  std::string config_file;
  bool tree = false;
  std::string verify_receivers;
  std::vector<std::string> positional;
};

bool ParseRoutesFlags(const std::vector<std::string>& args, bool test, RoutesFlags* f,
                      std::string* error) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      f->positional.insert(f->positional.end(), args.begin() + static_cast<long>(i) + 1,
                           args.end());
      break;
    }
    if (a.rfind("--", 0) == 0) {
      std::string name = a.substr(2);
      std::string value;
      bool has_value = false;
      if (size_t eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        has_value = true;
      }
      auto take_value = [&]() -> bool {
        if (has_value) return true;
        if (i + 1 >= args.size()) {
          *error = "expected argument for flag '--" + name + "'";
          return false;
        }
        value = args[++i];
        return true;
      };
      if (name == "config.file") {
        if (!take_value()) return false;
        f->config_file = value;
      } else if (test && name == "verify.receivers") {
        if (!take_value()) return false;
        f->verify_receivers = value;
      } else if (test && (name == "tree" || name == "no-tree") && !has_value) {
        f->tree = name == "tree";
      } else {
        *error = "unknown long flag '--" + name + "'";
        return false;
      }
      continue;
    }
    if (a.size() > 1 && a[0] == '-') {
      *error = "unknown short flag '" + a.substr(0, 2) + "'";
      return false;
    }
    f->positional.push_back(a);
  }
  if (f->config_file.empty()) {
    *error = "You have to specify one of --config.file or --alertmanager.url flags.";
    return false;
  }
  if (std::string e = CheckExisting(f->config_file); !e.empty()) {
    *error = e;
    return false;
  }
  return true;
}

// cli/utils.go parseLabels: each argument is a matcher that must use '='; later names win.
base::Result<model::Labels> ParseLabels(const std::vector<std::string>& args) {
  std::map<std::string, std::string> set;
  for (const std::string& a : args) {
    ASSIGN_OR_RETURN(Matcher m, ParseMatcher(a));
    if (m.type() != MatchType::kEqual) {
      return base::InvalidArgument("labels must be specified as key=value pairs");
    }
    set[m.name()] = m.value();
  }
  model::LabelsBuilder b;
  for (const auto& [k, v] : set) b.Set(k, v);
  return b.Build();
}

// Parses a notification template file into `set` (Alertmanager's template.FromGlobs: one set
// with Alertmanager's functions and missingkey=zero, each file a template named by its base
// name), so Go template syntax errors and undefined functions fail the check as in amtool.
base::Status CheckTemplateFile(const std::string& path, tmpl::Template& set) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::string reason = std::strerror(errno);
    if (!reason.empty())
      reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
    return base::IOError("open " + path + ": " + reason);
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return set.AddParse(path.substr(path.find_last_of('/') + 1), ss.str());
}

base::Status CheckTemplates(const std::vector<std::string>& patterns) {
  tmpl::Template set("", tmpl::AlertmanagerFuncs(), tmpl::Options{tmpl::MissingKey::kZero});
  for (const std::string& p : patterns) {
    glob_t g{};
    int rc = ::glob(p.c_str(), 0, nullptr, &g);
    if (rc != 0 && rc != GLOB_NOMATCH) {
      ::globfree(&g);
      return base::InvalidArgument("syntax error in pattern");
    }
    std::vector<std::string> files;
    for (size_t i = 0; i < g.gl_pathc; ++i) files.emplace_back(g.gl_pathv[i]);
    ::globfree(&g);
    for (const std::string& f : files) RETURN_IF_ERROR(CheckTemplateFile(f, set));
  }
  return base::Status::Ok();
}

}  // namespace

int CheckConfig(const std::vector<std::string>& files_in, std::ostream& out, std::ostream& err) {
  std::vector<std::string> files = files_in;
  if (files.empty()) {
    if (::isatty(STDIN_FILENO) != 0) {
      err << kErrorPrefix << "Failed to read from standard input\n";
      return 1;
    }
    files.push_back("/dev/stdin");
  } else {
    for (const std::string& f : files) {
      if (std::string e = CheckExisting(f); !e.empty()) {
        err << kErrorPrefix << e << "\n";
        return 1;
      }
    }
  }
  int failed = 0;
  for (const std::string& f : files) {
    out << "Checking '" << f << "'";
    auto cfg = config::LoadFile(f);
    if (!cfg.has_value()) {
      out << "  FAILED: " << cfg.error().message() << "\n";
      ++failed;
    } else {
      out << "  SUCCESS\n";
      out << "Found:\n";
      out << " - global config\n";
      out << " - route\n";
      out << " - " << cfg->inhibit_rules.size() << " inhibit rules\n";
      out << " - " << cfg->receivers.size() << " receivers\n";
      out << " - " << cfg->templates.size() << " templates\n";
      if (!cfg->templates.empty()) {
        if (base::Status s = CheckTemplates(cfg->templates); !s.ok()) {
          out << "  FAILED: " << s.message() << "\n";
          ++failed;
        } else {
          out << "  SUCCESS\n";
        }
      }
    }
    out << "\n";
  }
  out.flush();
  if (failed > 0) {
    err << kErrorPrefix << "failed to validate " << failed << " file(s)\n";
    return 1;
  }
  return 0;
}

int RoutesTest(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  RoutesFlags flags;
  std::string error;
  if (!ParseRoutesFlags(args, /*test=*/true, &flags, &error)) {
    err << kErrorPrefix << error << "\n";
    return 1;
  }
  auto cfg = config::LoadFile(flags.config_file);
  if (!cfg.has_value()) {
    err << kErrorPrefix << cfg.error().message() << "\n";
    return 1;
  }
  std::unique_ptr<Route> root = Route::FromConfig(cfg->route);
  auto labels = ParseLabels(flags.positional);
  if (!labels.has_value()) {
    err << kErrorPrefix << "Failed to parse labels: " << labels.error().message() << "\n";
    return 1;
  }
  if (flags.tree) {
    TreeNode tree{".", {}};
    MatchingTree(*root, &tree, *labels);
    out << "Matching routes:\n" << RenderTree(tree) << "\n\n";
  }
  std::string slug;
  std::vector<const Route*> matched = root->Match(*labels);
  for (size_t i = 0; i < matched.size(); ++i) {
    if (i > 0) slug += ",";
    slug += matched[i]->opts().receiver;
  }
  out << slug << "\n";
  if (!flags.verify_receivers.empty() && flags.verify_receivers != slug) {
    out << "WARNING: Expected receivers did not match resolved receivers.\n";
    return 1;
  }
  return 0;
}

int RoutesShow(const std::vector<std::string>& args_in, std::ostream& out, std::ostream& err) {
  std::vector<std::string> args = args_in;
  if (!args.empty() && args.front() == "show") args.erase(args.begin());
  RoutesFlags flags;
  std::string error;
  if (!ParseRoutesFlags(args, /*test=*/false, &flags, &error)) {
    err << kErrorPrefix << error << "\n";
    return 1;
  }
  if (!flags.positional.empty()) {
    err << kErrorPrefix << "unexpected " << flags.positional.front() << "\n";
    return 1;
  }
  auto cfg = config::LoadFile(flags.config_file);
  if (!cfg.has_value()) {
    err << kErrorPrefix << cfg.error().message() << "\n";
    return 1;
  }
  std::unique_ptr<Route> root = Route::FromConfig(cfg->route);
  TreeNode tree{".", {}};
  WholeTree(*root, &tree);
  out << "Routing tree:\n" << RenderTree(tree) << "\n";
  return 0;
}

}  // namespace alerting
