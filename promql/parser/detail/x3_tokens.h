// Spirit X3 building blocks for parsing PromQL token sequences (the lexer's output) rather
// than characters: a parser matching one token from a set, a parser raising the syntax error
// Prometheus would report at the current token, and the glue that runs ParserState actions.
// Private to promql::parser; included only by grammar.cc.
#pragma once

#include <boost/spirit/home/x3.hpp>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>

#include "promql/parser/lexer.h"
#include "promql/parser/parser_state.h"

namespace promql::parser::detail {

namespace x3 = boost::spirit::x3;

using Iterator = const Token*;
using SyntaxFailure = x3::expectation_failure<Iterator>;

// The x3::with<> key under which the ParserState is reachable from actions.
struct state_tag;

// Separates the context from the expected tokens in a SyntaxFailure's which().
inline constexpr char kContextSeparator = '\x1f';
// which() of the failure thrown after ParserState::too_deep() became true.
inline constexpr const char* kTooDeep = "\x01";

inline ParserState& StateOf(const auto& ctx) { return x3::get<state_tag>(ctx).get(); }

// A set of token types.
class TokenSet {
 public:
  constexpr TokenSet(std::initializer_list<TokenType> types) {
    for (TokenType t : types) bits_[Index(t) / 64] |= uint64_t{1} << (Index(t) % 64);
  }
  constexpr bool Has(TokenType t) const { return (bits_[Index(t) / 64] >> (Index(t) % 64)) & 1; }
  constexpr TokenSet operator|(const TokenSet& o) const {
    TokenSet r = *this;
    r.bits_[0] |= o.bits_[0];
    r.bits_[1] |= o.bits_[1];
    return r;
  }

 private:
  static constexpr int Index(TokenType t) { return static_cast<int>(t); }
  static_assert(kTokenTypeCount <= 128);
  uint64_t bits_[2] = {0, 0};
};

// Matches one token whose type is in the set.
struct TokenParser : x3::parser<TokenParser> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;

  constexpr explicit TokenParser(TokenSet s) : set(s) {}

  template <typename It, typename Ctx, typename RCtx, typename Attr>
  bool parse(It& first, It const& last, Ctx const& ctx, RCtx&, Attr&) const {
    if (first == last) return false;
    StateOf(ctx).Examine(*first);
    if (!set.Has(first->type)) return false;
    ++first;
    return true;
  }

  TokenSet set;
};

inline constexpr TokenParser tok(TokenType t) { return TokenParser(TokenSet{t}); }
inline constexpr TokenParser tok(TokenSet s) { return TokenParser(s); }

// Never matches: raises the syntax error "unexpected <token> in <context>, expected <...>"
// at the current token. `dynamic` takes the context from the ParserState (the innermost
// construct being parsed), otherwise the fixed one given.
struct SyntaxErrorParser : x3::parser<SyntaxErrorParser> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;

  template <typename It, typename Ctx, typename RCtx, typename Attr>
  bool parse(It& first, It const&, Ctx const& ctx, RCtx&, Attr&) const {
    SyntaxContext c = dynamic ? StateOf(ctx).CurrentContext() : SyntaxContext{context, expected};
    std::string which(c.context);
    which += kContextSeparator;
    which.append(c.expected);
    throw SyntaxFailure(first, which);
  }

  bool dynamic = true;
  const char* context = "";
  const char* expected = "";
};

// The error of the innermost construct being parsed.
inline constexpr SyntaxErrorParser dyn_error{};
// An error with a fixed context.
inline constexpr SyntaxErrorParser error_in(const char* context, const char* expected) {
  SyntaxErrorParser p;
  p.dynamic = false;
  p.context = context;
  p.expected = expected;
  return p;
}

// noinline[p] parses like p in a function of its own. The grammar recurses once per nesting
// level of the query; keeping the large non-recursive parts (modifiers, selectors) out of the
// recursive functions keeps their stack frames, and so the stack used per level, small.
template <typename Subject>
struct NoInline : x3::unary_parser<Subject, NoInline<Subject>> {
  using base_type = x3::unary_parser<Subject, NoInline<Subject>>;
  static bool const is_pass_through_unary = true;

  constexpr explicit NoInline(const Subject& subject) : base_type(subject) {}

  template <typename It, typename Ctx, typename RCtx, typename Attr>
  [[gnu::noinline]] bool parse(It& first, It const& last, Ctx const& ctx, RCtx& rctx,
                               Attr& attr) const {
    return this->subject.parse(first, last, ctx, rctx, attr);
  }
};

struct NoInlineGen {
  template <typename Subject>
  constexpr NoInline<typename x3::extension::as_parser<Subject>::value_type> operator[](
      const Subject& subject) const {
    return NoInline<typename x3::extension::as_parser<Subject>::value_type>(x3::as_parser(subject));
  }
};
inline constexpr NoInlineGen noinline{};

// A semantic action calling f(ParserState&, const Token* begin, const Token* end), where
// [begin, end) are the tokens the subject matched (taken from x3::raw: Boost 1.74's _where
// does not give the matched range). Stops the parse when the query nests too deeply.
template <typename F>
struct Action {
  F f;
  template <typename Ctx>
  void operator()(Ctx& ctx) const {
    ParserState& state = StateOf(ctx);
    const auto& range = x3::_attr(ctx);
    Iterator begin = range.begin();
    Iterator end = range.end();
    f(state, begin, end);
    if (state.too_deep()) throw SyntaxFailure(begin, kTooDeep);
  }
};

// `subject` with an action f(ParserState&, begin, end) run when it matches.
template <typename Subject, typename F>
constexpr auto on(const Subject& subject, F f) {
  return x3::raw[subject][Action<F>{f}];
}

}  // namespace promql::parser::detail
