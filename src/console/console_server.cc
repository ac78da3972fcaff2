#include "console/console_server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <simdjson.h>

#include "catalog/catalog.h"
#include "catalog/crawler.h"
#include "catalog/default_lake.h"
#include "catalog/file_sizes.h"
#include "common/error.h"
#include "common/file_util.h"
#include "common/json_writer.h"
#include "common/metrics.h"
#include "console/assets.h"
#include "console/http_listener.h"
#include "console/iceberg_json.h"
#include "console/pipeline_monitor.h"
#include "query/iceberg_tables.h"
#include "query/query_engine.h"
#include "query/result_format.h"
#include "store/object_store.h"

namespace ticklake::console {
namespace {

constexpr const char* kJson = "application/json";
constexpr const char* kTokenCookie = "ticklake_console_token";

void SendError(httplib::Response& res, int status, std::string_view message) {
  std::string body = "{\"error\":";
  AppendJsonString(body, message);
  body += "}";
  res.status = status;
  res.set_content(body, kJson);
}

std::string CookieValue(const std::string& header, std::string_view name) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string_view part(header.data() + pos, end - pos);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.starts_with(name) && part.size() > name.size() && part[name.size()] == '=')
      return std::string(part.substr(name.size() + 1));
    pos = end + 1;
  }
  return "";
}

// "http://host:port" of an Origin header, compared with the Host header.
bool SameOrigin(const httplib::Request& req) {
  std::string origin = req.get_header_value("Origin");
  if (origin.empty()) return true;  // not a browser cross-origin request
  std::string host = req.get_header_value("Host");
  return origin == "http://" + host || origin == "https://" + host;
}

void AppendColumns(std::string& out, const std::vector<catalog::Column>& columns) {
  out += '[';
  for (size_t i = 0; i < columns.size(); ++i) {
    out += i ? ",{\"name\":" : "{\"name\":";
    AppendJsonString(out, columns[i].name);
    out += ",\"type\":";
    AppendJsonString(out, columns[i].type);
    out += '}';
  }
  out += ']';
}

void AppendTable(std::string& out, const catalog::TableInfo& t) {
  out += "{\"database\":";
  AppendJsonString(out, t.database);
  out += ",\"name\":";
  AppendJsonString(out, t.name);
  out += ",\"lake\":";
  AppendJsonString(out, t.lake_uri);
  out += ",\"location\":";
  AppendJsonString(out, t.location);
  out += ",\"classification\":";
  AppendJsonString(out, t.classification);
  out += ",\"compression\":";
  AppendJsonString(out, t.compression);
  out += ",\"state\":";
  AppendJsonString(out, t.state);
  out += ",\"columns\":";
  AppendColumns(out, t.columns);
  out += ",\"partition_keys\":";
  AppendColumns(out, t.partition_keys);
  out += fmt::format(
      ",\"records\":{},\"bytes\":{},\"files\":{},\"average_file_bytes\":{},\"version\":{},"
      "\"created_ms\":{},\"updated_ms\":{},\"small_files\":",
      t.record_count, t.size_bytes, t.file_count, catalog::AverageFileBytes(t), t.version,
      t.created_ms, t.updated_ms);
  AppendJsonString(out, catalog::SmallFileWarning(t));
  out += '}';
}

void AppendCrawl(std::string& out, const catalog::CrawlRun& r) {
  out += fmt::format("{{\"id\":{},\"updates\":{},\"source\":", r.id, r.updates);
  AppendJsonString(out, r.source);
  out += ",\"lake\":";
  AppendJsonString(out, r.lake_uri);
  out += ",\"state\":";
  AppendJsonString(out, r.state);
  out += fmt::format(
      ",\"started_ms\":{},\"ended_ms\":{},\"tables_created\":{},\"tables_updated\":{},"
      "\"tables_deleted\":{},\"partitions_added\":{},\"files_read\":{},\"files_unchanged\":{}",
      r.started_ms, r.ended_ms, r.tables_created, r.tables_updated, r.tables_deleted,
      r.partitions_added, r.files_read, r.files_unchanged);
  out += ",\"errors\":" + catalog::CrawlMessagesJson(r.errors) + "}";
}

std::string QueryResultJson(const query::QueryResult& r) {
  std::string out = "{\"query_id\":";
  AppendJsonString(out, r.query_id);
  out += ",\"statement\":";
  AppendJsonString(out, r.statement);
  out += ",\"columns\":";
  query::AppendColumnsJson(out, r);
  out += ",\"rows\":[";
  for (size_t row = 0; row < r.rows.size(); ++row) {
    out += row ? ",[" : "[";
    for (size_t col = 0; col < r.rows[row].size(); ++col) {
      if (col) out += ',';
      const auto& v = r.rows[row][col];
      if (v) {
        AppendJsonString(out, *v);
      } else {
        out += "null";
      }
    }
    out += ']';
  }
  out += fmt::format(
      "],\"total_rows\":{},\"seconds\":{:.3f},\"bytes_scanned\":{},\"files_scanned\":{},"
      "\"files_pruned\":{},\"csv\":",
      r.total_rows, r.seconds, r.bytes_scanned, r.files_scanned, r.files_pruned);
  if (r.result_location.empty()) {
    out += "null";
  } else {
    AppendJsonString(out, fmt::format("/api/results/{}.csv", r.query_id));
  }
  return out + "}";
}

}  // namespace

ConsoleServer::ConsoleServer(ConsoleOptions options)
    : options_(std::move(options)), server_(std::make_unique<httplib::Server>()) {
  RequireTokenBeyondLoopback(options_.listen, options_.token, "--listen",
                             "give one with --token or TICKLAKE_CONSOLE_TOKEN");
  catalog_ = std::make_unique<catalog::Catalog>(options_.catalog);
}

ConsoleServer::~ConsoleServer() { Stop(); }

std::string ConsoleServer::Url() const { return listener_->Url(); }

void ConsoleServer::Start() {
  MonitorOptions monitor;
  monitor.bootstrap = options_.bootstrap;
  monitor.topic = options_.topic;
  monitor.groups = options_.groups;
  monitor.properties = options_.properties;
  try {
    std::lock_guard lock(mu_);
    monitor.lake = catalog::DefaultLakeUri(*catalog_, options_.database, options_.lake);
  } catch (const Error& e) {
    // Not there yet (a sink has not written): the monitor retries; the page shows the error.
    monitor.lake = options_.lake.empty() ? "ticklake-data/lake" : options_.lake;
  }
  monitor_ = std::make_unique<PipelineMonitor>(monitor);
  Routes();
  listener_ = std::make_unique<HttpListener>(*server_, options_.listen, "--listen");
}

void ConsoleServer::Stop() {
  listener_.reset();
  monitor_.reset();
}

ObjectStore& ConsoleServer::Lake() {
  std::string uri = query::DefaultQueryLake(*catalog_, options_.database, options_.lake);
  if (!lake_ || uri != lake_uri_) {
    engine_.reset();  // it holds the previous lake
    lake_ = OpenObjectStore(uri);
    lake_uri_ = uri;
  }
  return *lake_;
}

query::QueryEngine& ConsoleServer::Engine() {
  ObjectStore& lake = Lake();
  if (!engine_) {
    query::QueryEngineOptions options;
    options.database = options_.database;
    options.data_dir = options_.data_dir;
    options.keep_rows = 10'000;  // what the page shows; the saved CSV has every row
    options.timeout_seconds = 300;
    engine_ = std::make_unique<query::QueryEngine>(*catalog_, lake, options);
  }
  return *engine_;
}

void ConsoleServer::Routes() {
  httplib::Server& s = *server_;
  s.set_payload_max_length(1 << 20);
  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    CounterMetric("ticklake_console_requests_total", "HTTP requests to the console.").Add();
    if (!options_.token.empty()) {
      bool ok =
          BearerMatches(req, options_.token) ||
          TokenMatches(CookieValue(req.get_header_value("Cookie"), kTokenCookie), options_.token);
      if (!ok && req.has_param("token") &&
          TokenMatches(req.get_param_value("token"), options_.token)) {
        ok = true;
        // The page's own requests then carry the token as a cookie.
        res.set_header("Set-Cookie", fmt::format("{}={}; HttpOnly; SameSite=Strict; Path=/",
                                                 kTokenCookie, options_.token));
      }
      if (!ok) {
        CounterMetric("ticklake_console_refused_total", "Requests refused for a missing token.")
            .Add();
        SendError(res, 401,
                  "this console requires its token: Authorization: Bearer TOKEN, or open "
                  "/?token=TOKEN");
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    if (req.method == "POST" && !SameOrigin(req)) {
      SendError(res, 403, "cross-origin request refused");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  s.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          SendError(res, 500, ex.what());
        } catch (...) {
          SendError(res, 500, "unknown error");
        }
      });

  auto serve_asset = [](std::string_view name, httplib::Response& res) {
    for (const Asset& a : Assets()) {
      if (a.name == name) {
        res.set_content(a.body.data(), a.body.size(), std::string(a.content_type).c_str());
        res.set_header("Cache-Control", "no-cache");
        return;
      }
    }
    SendError(res, 404, fmt::format("no asset {}", name));
  };
  s.Get("/", [serve_asset](const httplib::Request&, httplib::Response& res) {
    serve_asset("index.html", res);
  });
  s.Get(R"(/assets/([A-Za-z0-9._-]+))",
        [serve_asset](const httplib::Request& req, httplib::Response& res) {
          serve_asset(req.matches[1].str(), res);
        });
  s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  s.Get("/metrics", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(MetricsRegistry::Global().RenderPrometheus(),
                    "text/plain; version=0.0.4; charset=utf-8");
  });
  s.Get("/api/live", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(monitor_->SnapshotJson(), kJson);
  });

  s.Get("/api/catalog", [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(mu_);
    std::string out = "{\"catalog\":";
    AppendJsonString(out, catalog_->path().string());
    out += ",\"default_database\":";
    AppendJsonString(out, options_.database);
    out += ",\"databases\":[";
    std::vector<std::string> databases = catalog_->ListDatabases();
    for (const auto& ns : IcebergNamespaces(catalog_->path())) {
      if (std::find(databases.begin(), databases.end(), ns) == databases.end()) {
        databases.push_back(ns);
      }
    }
    for (size_t d = 0; d < databases.size(); ++d) {
      out += d ? ",{\"name\":" : "{\"name\":";
      AppendJsonString(out, databases[d]);
      out += ",\"tables\":[";
      auto tables = catalog_->ListTables(databases[d]);
      for (size_t t = 0; t < tables.size(); ++t) {
        if (t) out += ',';
        AppendTable(out, tables[t]);
      }
      std::string iceberg = IcebergTablesJson(catalog_->path(), databases[d]);
      out += (tables.empty() || iceberg.empty() ? "" : ",") + iceberg;
      out += "],\"crawls\":[";
      auto crawls = catalog_->ListCrawls(databases[d], 20);
      for (size_t c = 0; c < crawls.size(); ++c) {
        if (c) out += ',';
        AppendCrawl(out, crawls[c]);
      }
      out += "]}";
    }
    out += "]}";
    res.set_content(out, kJson);
  });

  s.Get("/api/table", [this](const httplib::Request& req, httplib::Response& res) {
    std::string database =
        req.has_param("database") ? req.get_param_value("database") : options_.database;
    if (!req.has_param("name")) return SendError(res, 400, "expected ?name=TABLE[&database=DB]");
    std::string name = req.get_param_value("name");
    std::lock_guard lock(mu_);
    if (auto iceberg = IcebergTableJson(catalog_->path(), database, name)) {
      return res.set_content(*iceberg, kJson);
    }
    auto table = catalog_->GetTable(database, name);
    if (!table)
      return SendError(res, 404, fmt::format("no table {}.{} in the catalog", database, name));
    std::string out = "{\"table\":";
    AppendTable(out, *table);
    auto partitions = catalog_->ListPartitions(database, name);
    out += fmt::format(",\"partition_count\":{},\"partitions\":[", partitions.size());
    for (size_t i = 0; i < partitions.size() && i < 1000; ++i) {
      out += i ? ",{\"values\":[" : "{\"values\":[";
      for (size_t v = 0; v < partitions[i].values.size(); ++v) {
        if (v) out += ',';
        if (partitions[i].values[v]) {
          AppendJsonString(out, *partitions[i].values[v]);
        } else {
          out += "null";
        }
      }
      out += "],\"location\":";
      AppendJsonString(out, partitions[i].location);
      out +=
          fmt::format(",\"files\":{},\"bytes\":{},\"modified_ms\":{}}}", partitions[i].file_count,
                      partitions[i].size_bytes, partitions[i].last_modified_ms);
    }
    out += "],\"versions\":[";
    auto versions = catalog_->History(database, name);
    for (size_t i = 0; i < versions.size(); ++i) {
      out += fmt::format(
          "{}{{\"version\":{},\"created_ms\":{},\"crawl_id\":{},\"change\":", i ? "," : "",
          versions[i].version, versions[i].created_ms, versions[i].crawl_id);
      AppendJsonString(out, versions[i].change);
      out += ",\"columns\":";
      AppendColumns(out, versions[i].columns);
      out += '}';
    }
    out += "]}";
    res.set_content(out, kJson);
  });

  s.Post("/api/crawl", [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(mu_);
    catalog::CrawlOptions crawl;
    crawl.database = options_.database;
    crawl.cache_dir = options_.data_dir / "cache";
    crawl.interruptible = false;
    try {
      catalog::CrawlSummary summary = catalog::Crawl(Lake(), *catalog_, crawl);
      res.set_content(catalog::CrawlSummaryJson(summary, crawl.database), kJson);
    } catch (const Error& e) {
      SendError(res, 500, e.what());
    }
  });

  s.Post("/api/query", [this](const httplib::Request& req, httplib::Response& res) {
    simdjson::dom::parser parser;
    simdjson::dom::element body;
    std::string_view sql;
    if (parser.parse(req.body).get(body) || body["sql"].get(sql)) {
      return SendError(res, 400, "expected a JSON body {\"sql\": \"...\"}");
    }
    std::lock_guard lock(mu_);
    try {
      query::QueryResult result = Engine().Run(std::string(sql));
      res.set_content(QueryResultJson(result), kJson);
    } catch (const Error& e) {
      SendError(res, 400, e.what());
    }
  });

  s.Get("/api/history", [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(mu_);
    std::string out = "{\"queries\":[";
    auto queries = catalog_->ListQueries(100);
    for (size_t i = 0; i < queries.size(); ++i) {
      const auto& q = queries[i];
      out += i ? ",{\"id\":" : "{\"id\":";
      AppendJsonString(out, q.id);
      out += ",\"database\":";
      AppendJsonString(out, q.database);
      out += ",\"sql\":";
      AppendJsonString(out, q.sql);
      out += ",\"state\":";
      AppendJsonString(out, q.state);
      out += fmt::format(",\"started_ms\":{},\"duration_ms\":{},\"rows\":{},\"bytes_scanned\":{}",
                         q.started_ms, q.duration_ms, q.rows, q.bytes_scanned);
      out += ",\"error\":";
      AppendJsonString(out, q.error);
      out += ",\"csv\":";
      if (q.result_location.empty()) {
        out += "null";
      } else {
        AppendJsonString(out, fmt::format("/api/results/{}.csv", q.id));
      }
      out += '}';
    }
    out += "]}";
    res.set_content(out, kJson);
  });

  s.Get(R"(/api/results/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.csv)",
        [this](const httplib::Request& req, httplib::Response& res) {
          std::string id = req.matches[1].str();
          std::filesystem::path file = options_.data_dir / "results" / (id + ".csv");
          std::string text;
          try {
            text = ReadWholeFile(file);
          } catch (const Error& e) {
            return SendError(res, 404, fmt::format("no saved result for query {}", id));
          }
          res.set_header("Content-Disposition", fmt::format("attachment; filename=\"{}.csv\"", id));
          res.set_content(text, "text/csv; charset=utf-8");
        });
}

}  // namespace ticklake::console
