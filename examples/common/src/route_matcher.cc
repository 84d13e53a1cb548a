#include "pulse/demo/route_matcher.h"

#include <stdexcept>

namespace pulse::demo {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 1;  // skip the leading '/'
  while (true) {
    const std::size_t j = path.find('/', i);
    out.push_back(path.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i));
    if (j == std::string_view::npos) break;
    i = j + 1;
  }
  return out;
}

}  // namespace

RouteMatcher::RouteMatcher(std::vector<std::string> templates) : templates_(std::move(templates)) {
  for (const std::string& t : templates_) {
    if (t.empty() || t.front() != '/') {
      throw std::invalid_argument("route template \"" + t + "\": must start with '/'");
    }
    std::vector<Segment> segments;
    if (t != "/") {
      for (std::string_view s : Split(t)) {
        Segment seg;
        if (!s.empty() && s.front() == '{') {
          if (s.size() < 3 || s.back() != '}' ||
              s.substr(1, s.size() - 2).find_first_of("{}") != std::string_view::npos) {
            throw std::invalid_argument("route template \"" + t + "\": malformed parameter \"" +
                                        std::string(s) + "\"");
          }
          seg.is_param = true;
          seg.text = std::string(s.substr(1, s.size() - 2));
        } else {
          if (s.find_first_of("{}") != std::string_view::npos) {
            throw std::invalid_argument("route template \"" + t + "\": segment \"" +
                                        std::string(s) + "\" mixes text and a parameter");
          }
          seg.text = std::string(s);
        }
        segments.push_back(std::move(seg));
      }
    }
    parsed_.push_back(std::move(segments));
  }
}

std::optional<RouteMatch> RouteMatcher::Match(std::string_view path) const {
  if (path.empty() || path.front() != '/') return std::nullopt;
  const std::vector<std::string_view> parts =
      path == "/" ? std::vector<std::string_view>{} : Split(path);
  std::optional<RouteMatch> best;
  std::size_t best_literals = 0;
  for (std::size_t r = 0; r < parsed_.size(); ++r) {
    const auto& segs = parsed_[r];
    if (segs.size() != parts.size()) continue;
    std::size_t literals = 0;
    bool ok = true;
    for (std::size_t i = 0; i < segs.size() && ok; ++i) {
      if (segs[i].is_param) {
        ok = !parts[i].empty();
      } else {
        ok = segs[i].text == parts[i];
        ++literals;
      }
    }
    if (!ok || (best && literals <= best_literals)) continue;
    RouteMatch m;
    m.route = r;
    for (std::size_t i = 0; i < segs.size(); ++i) {
      if (segs[i].is_param) m.params[segs[i].text] = std::string(parts[i]);
    }
    best = std::move(m);
    best_literals = literals;
  }
  return best;
}

}  // namespace pulse::demo
