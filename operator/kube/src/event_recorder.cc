#include "pulse/kube/event_recorder.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <list>
#include <mutex>
#include <unordered_map>

#include "pulse/kube/api_error.h"
#include "pulse/kube/rest_client.h"
#include "pulse/kube/time_format.h"

namespace pulse::kube {
namespace {

// The API caps note at 1 KiB; cut on a UTF-8 character boundary.
std::string TruncateNote(const std::string& note) {
  size_t cut = std::min<size_t>(note.size(), 1024);
  if (cut < note.size()) {
    while (cut > 0 && (static_cast<unsigned char>(note[cut]) & 0xC0) == 0x80) --cut;
  }
  return note.substr(0, cut);
}

std::string TypeName(EventType type) { return type == EventType::kWarning ? "Warning" : "Normal"; }

}  // namespace

// One Event the recorder created, and what it has seen of it since.
struct EventRecorder::Cache {
  struct Entry {
    std::string key;
    std::uint64_t id = 0;  // tells a re-created entry of the same key from the one written
    std::string ns;
    std::string name;           // "" until the create returned
    std::int64_t observed = 0;  // occurrences in this Event's series
    std::chrono::system_clock::time_point last_observed;
    std::chrono::steady_clock::time_point last_seen;   // for the aggregation window
    std::chrono::steady_clock::time_point last_write;  // for the series update interval
    bool writing = false;  // a create or patch is in flight: repeats are only counted
  };

  std::mutex mu;
  std::list<Entry> lru;  // most recently seen first
  std::unordered_map<std::string, std::list<Entry>::iterator> index;
  std::uint64_t next_id = 0;

  Entry* Find(const std::string& key, std::uint64_t id) {
    auto it = index.find(key);
    return it != index.end() && it->second->id == id ? &*it->second : nullptr;
  }
  void Erase(const std::string& key, std::uint64_t id) {
    auto it = index.find(key);
    if (it == index.end() || it->second->id != id) return;
    lru.erase(it->second);
    index.erase(it);
  }
};

EventRecorder::EventRecorder(const Client& client, EventRecorderOptions options)
    : client_(client),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : base::DefaultClock()),
      cache_(std::make_unique<Cache>()) {
  if (options_.reporting_instance.empty()) {
    char host[256] = {};
    if (::gethostname(host, sizeof(host) - 1) == 0) options_.reporting_instance = host;
    if (options_.reporting_instance.empty()) options_.reporting_instance = "pulse-operator";
  }
  options_.max_cached_events = std::max<std::size_t>(options_.max_cached_events, 1);
}

EventRecorder::~EventRecorder() = default;

nlohmann::json EventRecorder::Create(const nlohmann::json& regarding, const std::string& ns,
                                     EventType type, const std::string& reason,
                                     const std::string& action, const std::string& note) const {
  const auto& md = regarding.at("metadata");
  const std::string name = md.at("name").get<std::string>();
  // Unique, valid name: object name + hex nanoseconds + a per-process counter.
  static std::atomic<unsigned> counter{0};
  const auto now = clock_.WallNow();
  char suffix[40];
  std::snprintf(suffix, sizeof(suffix), ".%llx%04x",
                static_cast<unsigned long long>(now.time_since_epoch().count()),
                counter.fetch_add(1) & 0xFFFF);
  nlohmann::json ref = {{"apiVersion", regarding.value("apiVersion", "")},
                        {"kind", regarding.value("kind", "")},
                        {"name", name}};
  if (md.contains("namespace")) ref["namespace"] = md["namespace"];
  if (md.contains("uid")) ref["uid"] = md["uid"];
  if (md.contains("resourceVersion")) ref["resourceVersion"] = md["resourceVersion"];
  nlohmann::json event = {
      {"apiVersion", "events.k8s.io/v1"},
      {"kind", "Event"},
      {"metadata", {{"name", name.substr(0, 200) + suffix}, {"namespace", ns}}},
      {"eventTime", FormatMicroTime(now)},
      {"reportingController", options_.reporting_controller},
      {"reportingInstance", options_.reporting_instance.substr(0, 128)},
      {"action", action},
      {"reason", reason},
      {"regarding", ref},
      {"note", note},
      {"type", TypeName(type)},
  };
  return client_.Create(Events(), ns, event);
}

nlohmann::json EventRecorder::Record(const nlohmann::json& regarding, EventType type,
                                     const std::string& reason, const std::string& action,
                                     const std::string& note) const {
  const auto& md = regarding.at("metadata");
  const std::string name = md.at("name").get<std::string>();
  const std::string ns = md.value("namespace", client_.default_namespace());
  const std::string text = TruncateNote(note);
  // The uid tells a re-created object of the same name from the old one; without one (a test's
  // hand-made object) the name stands in.
  const std::string object = md.contains("uid") && md["uid"].is_string()
                                 ? md["uid"].get<std::string>()
                                 : regarding.value("kind", "") + "/" + ns + "/" + name;
  const std::string type_name = TypeName(type);
  std::string key = object;
  for (const std::string* part : {&type_name, &reason, &text}) {
    key += '\0';
    key += *part;
  }

  Cache& c = *cache_;
  const auto now = clock_.Now();
  const auto wall = clock_.WallNow();
  std::uint64_t id = 0;
  std::string event_ns, event_name;
  std::int64_t count = 0;
  bool create = false;
  {
    std::lock_guard<std::mutex> lock(c.mu);
    auto it = c.index.find(key);
    if (it != c.index.end() && !it->second->writing &&
        now - it->second->last_seen > options_.aggregation_window) {
      c.lru.erase(it->second);
      c.index.erase(it);
      it = c.index.end();
    }
    if (it != c.index.end()) {
      c.lru.splice(c.lru.begin(), c.lru, it->second);  // most recently seen
      Cache::Entry& e = *it->second;
      ++e.observed;
      e.last_observed = wall;
      e.last_seen = now;
      if (e.writing || e.name.empty() || now - e.last_write < options_.series_update_interval) {
        return nullptr;
      }
      e.writing = true;
      id = e.id;
      event_ns = e.ns;
      event_name = e.name;
      count = e.observed;
    } else {
      create = true;
      id = ++c.next_id;
      c.lru.push_front(Cache::Entry{key, id, ns, "", 1, wall, now, now, true});
      c.index[key] = c.lru.begin();
      while (c.lru.size() > options_.max_cached_events) {
        c.index.erase(c.lru.back().key);
        c.lru.pop_back();
      }
    }
  }

  nlohmann::json written;
  bool recreated = false;
  try {
    if (create) {
      written = Create(regarding, ns, type, reason, action, text);
    } else {
      try {
        written = client_.MergePatch(
            Events(), event_ns, event_name,
            {{"series", {{"count", count}, {"lastObservedTime", FormatMicroTime(wall)}}}});
      } catch (const ApiError& e) {
        if (!IsNotFound(e)) throw;
        // The API server expired the Event (its TTL): start a new one.
        written = Create(regarding, ns, type, reason, action, text);
        recreated = true;
      }
    }
  } catch (...) {
    std::lock_guard<std::mutex> lock(c.mu);
    if (create) {
      c.Erase(key, id);  // the next occurrence creates it again
    } else if (Cache::Entry* e = c.Find(key, id)) {
      e->writing = false;  // the count stays; the next occurrence tries again
    }
    throw;
  }
  std::lock_guard<std::mutex> lock(c.mu);
  if (Cache::Entry* e = c.Find(key, id)) {
    e->writing = false;
    e->last_write = clock_.Now();
    if (create || recreated) {
      e->name = written["metadata"].value("name", "");
      // Occurrences counted while the old Event was being patched belong to the new one.
      if (recreated) e->observed = 1 + (e->observed - count);
    }
  }
  return written;
}

}  // namespace pulse::kube
