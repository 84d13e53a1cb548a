#include "pulse/kube/informer.h"

#include <random>

#include "pulse/kube/api_error.h"
#include "pulse/kube/rest_client.h"

namespace pulse::kube {

Informer::Informer(const Client& client, Resource resource, std::string ns, InformerOptions options,
                   base::Clock& clock)
    : client_(client),
      resource_(std::move(resource)),
      ns_(std::move(ns)),
      options_(std::move(options)),
      clock_(clock),
      backoff_(options_.backoff) {}

Informer::~Informer() { Stop(); }

void Informer::AddEventHandler(EventHandler handler) { handlers_.push_back(std::move(handler)); }

void Informer::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void Informer::Stop() {
  stopper_.Stop();
  cancel_.Cancel();
  if (thread_.joinable()) thread_.join();
}

bool Informer::WaitForSync(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return synced_cv_.wait_for(lock, timeout, [this] { return synced_.load(); });
}

std::string Informer::LastResourceVersion() const {
  std::lock_guard<std::mutex> lock(mu_);
  return resource_version_;
}

InformerStats Informer::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

std::string Informer::LastError() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_error_;
}

void Informer::SetError(const std::string& error) {
  std::lock_guard<std::mutex> lock(mu_);
  last_error_ = error;
}

void Informer::Dispatch(const Store::Diff& diff) {
  // Each object is parsed once, when its turn comes, for all handlers.
  auto each = [this](const StoredObject& stored, auto call) {
    const ObjectPtr object = stored.Parse();
    for (const auto& h : handlers_) call(h, object);
  };
  for (const auto& o : diff.deleted) {
    each(o, [](const EventHandler& h, const ObjectPtr& obj) {
      if (h.on_delete) h.on_delete(obj);
    });
  }
  for (const auto& o : diff.added) {
    each(o, [](const EventHandler& h, const ObjectPtr& obj) {
      if (h.on_add) h.on_add(obj);
    });
  }
  for (const auto& [old_stored, new_stored] : diff.updated) {
    const ObjectPtr old_obj = old_stored.Parse();
    each(new_stored, [&old_obj](const EventHandler& h, const ObjectPtr& obj) {
      if (h.on_update) h.on_update(old_obj, obj);
    });
  }
}

void Informer::ListAndReplace() {
  ListOptions lo;
  lo.label_selector = options_.label_selector;
  lo.field_selector = options_.field_selector;
  lo.limit = options_.page_size;
  // Page by page into the store's compact form: the whole list is never held parsed.
  std::vector<StoredObject> objects;
  const Json md = client_.ListEach(resource_, ns_, lo, [&](Json& items) {
    if (!items.is_array()) return;
    for (auto& item : items) {
      if (!item.is_object()) {
        throw ApiError(Reason::kBadResponse, 200, "list item is not an object");
      }
      KeyOf(item);  // throws on an item without a name
      if (options_.transform) options_.transform(item);
      objects.push_back(StoredObject::From(item));
    }
    items = Json::array();  // this page's parsed objects are no longer needed
  });
  const std::string rv = md.is_object() ? md.value("resourceVersion", "") : "";
  Store::Diff diff = store_.Replace(std::move(objects));
  {
    std::lock_guard<std::mutex> lock(mu_);
    resource_version_ = rv;
    ++stats_.lists;
  }
  Dispatch(diff);
  if (!synced_.exchange(true)) {
    std::lock_guard<std::mutex> lock(mu_);
    synced_cv_.notify_all();
  }
}

bool Informer::WatchOnce() {
  WatchOptions wo;
  wo.label_selector = options_.label_selector;
  wo.field_selector = options_.field_selector;
  wo.resource_version = LastResourceVersion();
  wo.allow_bookmarks = true;
  {
    static thread_local std::mt19937 rng{std::random_device{}()};
    const auto min = std::max<long long>(1, options_.min_watch_timeout.count());
    std::uniform_int_distribution<long long> dist(min, 2 * min - 1);
    wo.server_timeout = std::chrono::seconds(dist(rng));
  }
  wo.client_slack = options_.watch_slack;
  bool gone = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.watches;
  }
  client_.Watch(
      resource_, ns_, wo,
      [&](WatchEvent&& ev) {
        if (ev.type == WatchEventType::kError) {
          ApiError err = ErrorFromStatus(ev.object, "watch " + resource_.resource);
          if (IsGone(err)) {
            gone = true;
            return false;
          }
          throw err;
        }
        if (ev.type == WatchEventType::kUnknown) {
          std::lock_guard<std::mutex> lock(mu_);
          ++stats_.unknown_events;
          return true;  // a newer server's event type: skip it, keep watching
        }
        const std::string rv = ResourceVersionOf(ev.object);
        if (ev.type == WatchEventType::kBookmark) {
          std::lock_guard<std::mutex> lock(mu_);
          if (!rv.empty()) resource_version_ = rv;
          ++stats_.bookmarks;
          return true;
        }
        if (options_.transform && ev.type != WatchEventType::kDeleted) {
          options_.transform(ev.object);
        }
        auto obj = std::make_shared<const Json>(std::move(ev.object));
        std::string key;
        try {
          key = KeyOf(*obj);
        } catch (const std::invalid_argument& e) {
          throw ApiError(Reason::kBadResponse, 200, std::string("watch event: ") + e.what());
        }
        if (ev.type == WatchEventType::kDeleted) {
          store_.Delete(key);
          // The event carries the object's final state, which is what handlers want.
          for (const auto& h : handlers_) {
            if (h.on_delete) h.on_delete(obj);
          }
        } else {
          ObjectPtr old = store_.Upsert(*obj);
          for (const auto& h : handlers_) {
            if (old && h.on_update) h.on_update(old, obj);
            if (!old && h.on_add) h.on_add(obj);
          }
        }
        std::lock_guard<std::mutex> lock(mu_);
        if (!rv.empty()) resource_version_ = rv;
        ++stats_.events;
        return true;
      },
      &cancel_);
  return gone;
}

void Informer::Run() {
  bool need_list = true;
  while (!stopper_.stopped()) {
    if (need_list) {
      try {
        ListAndReplace();
        need_list = false;
        SetError("");
      } catch (const std::exception& e) {
        SetError(e.what());
        if (clock_.Sleep(backoff_.Next(), stopper_)) return;
        continue;
      }
    }
    const auto started = clock_.Now();
    const auto before = stats();
    bool gone = false;
    std::string error;
    try {
      gone = WatchOnce();
    } catch (const ApiError& e) {
      gone = IsGone(e);
      error = e.what();
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.watch_errors;
    } catch (const std::exception& e) {
      error = e.what();
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.watch_errors;
    }
    if (stopper_.stopped()) return;
    const auto after = stats();
    // A watch that lasted or delivered something was healthy, whatever ended it. One that ended
    // at once with nothing (a proxy closing streams, a server that keeps answering 410 right
    // after a fresh list) must back off rather than reconnect in a tight loop.
    const bool productive = clock_.Now() - started >= std::chrono::seconds(1) ||
                            after.events + after.bookmarks + after.unknown_events >
                                before.events + before.bookmarks + before.unknown_events;
    if (productive) backoff_.Reset();
    if (gone) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++stats_.relists_after_gone;
      }
      need_list = true;  // the data is there, only our version is too old: relist
      if (!productive && clock_.Sleep(backoff_.Next(), stopper_)) return;
      continue;
    }
    SetError(error);
    if ((!error.empty() || !productive) && clock_.Sleep(backoff_.Next(), stopper_)) return;
  }
}

}  // namespace pulse::kube
