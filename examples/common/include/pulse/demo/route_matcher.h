// Matches request paths against route templates ("/orders/{id}") — pure logic, no I/O.
//
// Each template segment is either literal text or a {name} parameter that matches one non-empty
// path segment. Literal segments win over parameters when both match ("/orders/open" before
// "/orders/{id}"), independent of registration order. Immutable after construction; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pulse::demo {

struct RouteMatch {
  std::size_t route = 0;  // index into the templates given to the constructor
  std::map<std::string, std::string> params;
};

class RouteMatcher {
 public:
  // Throws std::invalid_argument naming the template when one is malformed (not starting with
  // '/', an empty or unterminated {parameter}, a parameter mixed with literal text in a segment).
  explicit RouteMatcher(std::vector<std::string> templates);

  // nullopt when no template matches. Paths are matched segment by segment; empty segments
  // ("//") and a trailing '/' do not match a template without them.
  std::optional<RouteMatch> Match(std::string_view path) const;

  const std::vector<std::string>& templates() const noexcept { return templates_; }

 private:
  struct Segment {
    bool is_param = false;
    std::string text;  // literal text, or the parameter's name
  };
  std::vector<std::string> templates_;
  std::vector<std::vector<Segment>> parsed_;
};

}  // namespace pulse::demo
