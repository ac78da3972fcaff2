// ConsoleServer: the web console (`ticklake console`, `ticklake demo --console`). One page, built
// into the binary (console/assets.h), and the JSON API behind it:
//   GET  /, /assets/<name>        the page: index.html, app.js, app.css, uPlot
//   GET  /api/live                 PipelineMonitor's latest sample (cluster, groups, rates, lake,
//                                  prices), polled by the page every second
//   GET  /api/catalog              databases, tables with their columns, recent crawl runs
//   GET  /api/table?database=D&name=T   one table: columns, partitions, versions
//   POST /api/crawl                crawls the lake into the catalog; the crawl's summary
//   POST /api/query                {"sql": "..."}: runs it with the query engine of
//                                  `ticklake query` (sandbox, saved results, history)
//   GET  /api/history              the query history
//   GET  /api/results/<id>.csv     a saved query result
//   GET  /metrics                  every counter and histogram of the process, Prometheus text
//   GET  /healthz                  "ok"
// Errors are JSON {"error": "..."} with a 4xx/5xx status and the underlying message (DuckDB's
// for bad SQL); the server keeps serving.
//
// Security: binds 127.0.0.1 by default. Bound to any other address it refuses to start without a
// token, and then every request must carry it (Authorization: Bearer T, the cookie the page sets,
// or ?token=T on the first page load). Only POST /api/crawl and /api/query change anything, and a
// POST from another origin is refused. Files are served only from memory (assets) and from the
// results folder by query id; queries run in the engine's sandbox.
//
// Thread-safety: Start/Stop from one thread. Requests run on cpp-httplib's thread pool; the
// catalog, the crawler and the query engine are used under one mutex (one SQLite connection and
// one DuckDB engine).
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kafka/client.h"

namespace httplib {
class Server;
}

namespace ticklake::catalog {
class Catalog;
}
namespace ticklake::query {
class QueryEngine;
}

namespace ticklake {
class ObjectStore;
}

namespace ticklake::console {

class HttpListener;
class PipelineMonitor;

struct ConsoleOptions {
  std::string bootstrap;
  std::string topic = "stock_market";
  std::vector<std::string> groups = {"ticklake-sink"};  // shown even when they cannot be listed
  std::string listen = "127.0.0.1:8080";                // HOST:PORT; port 0 picks a free one
  std::string token;  // required when `listen` is not a loopback address
  std::filesystem::path catalog = "ticklake-data/catalog.db";
  std::string database = "default";
  std::string lake;  // default: the lake the catalog's tables come from
  std::filesystem::path data_dir = "ticklake-data";
  kafka::Properties properties;
};

class ConsoleServer {
 public:
  explicit ConsoleServer(ConsoleOptions options);
  ConsoleServer(const ConsoleServer&) = delete;
  ConsoleServer& operator=(const ConsoleServer&) = delete;
  ~ConsoleServer();  // stops

  // Binds and starts serving on a background thread. Throws Error when the address is taken or
  // invalid, or a non-loopback address has no token.
  void Start();
  void Stop();
  // http://HOST:PORT/ with the port actually bound (after Start).
  std::string Url() const;

 private:
  void Routes();
  // The lake for crawls and queries; throws Error when there is none.
  ObjectStore& Lake();
  query::QueryEngine& Engine();

  ConsoleOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::unique_ptr<PipelineMonitor> monitor_;
  std::unique_ptr<HttpListener> listener_;  // serving while set

  std::mutex mu_;  // guards everything below
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<ObjectStore> lake_;
  std::string lake_uri_;
  std::unique_ptr<query::QueryEngine> engine_;
};

}  // namespace ticklake::console
