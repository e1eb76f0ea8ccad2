// Remote write -> storage -> HTTP API, in one process: the real tsdb::DB behind the real
// web::Server on 127.0.0.1, driven by an HTTP client.
#include <catch2/catch.hpp>
#include <httplib.h>
#include <snappy.h>

#include <cstdio>

#include "remote_write/prompb/remote.pb.h"
#include "tests/testutil/temp_dir.h"
#include "tsdb/db.h"
#include "promql/engine.h"
#include "tsdb/dump.h"
#include "web/server.h"

namespace {

struct Series {
  std::vector<std::pair<std::string, std::string>> labels;
  std::vector<std::pair<int64_t, double>> samples;
};

std::string Encode(const std::vector<Series>& series) {
  prometheus::WriteRequest req;
  for (const Series& s : series) {
    auto* ts = req.add_timeseries();
    for (const auto& [n, v] : s.labels) {
      auto* l = ts->add_labels();
      l->set_name(n);
      l->set_value(v);
    }
    for (const auto& [t, v] : s.samples) {
      auto* smp = ts->add_samples();
      smp->set_timestamp(t);
      smp->set_value(v);
    }
  }
  std::string raw, out;
  req.SerializeToString(&raw);
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

std::string Compress(const std::string& raw) {
  std::string out;
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

class Fixture {
 public:
  explicit Fixture(promql::EngineOptions engine_options = {}) : engine_(engine_options) {
    tsdb::Options opts;
    opts.registry = &registry_;
    db_ = std::move(*tsdb::DB::Open(dir_.path(), opts));
    web::Server::Options wo;
    wo.listen_address = "127.0.0.1:0";
    wo.registry = &registry_;
    wo.queryable = db_.get();
    wo.appendable = db_.get();
    wo.tsdb_stats = [this](size_t limit) { return db_->Stats(limit); };
    wo.max_remote_write_body_bytes = 1 << 20;
    wo.engine = &engine_;
    wo.config_yaml = [] { return std::string("global:\n  scrape_interval: 15s\n"); };
    wo.runtime_info = [] {
      web::RuntimeInfo r;
      r.storage_retention = "15d";
      return r;
    };
    wo.ready = true;
    server_ = std::make_unique<web::Server>(std::move(wo));
    REQUIRE(server_->Start().ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }
  ~Fixture() { server_->Stop(); }

  httplib::Result Write(const std::string& body) {
    httplib::Headers h = {{"Content-Encoding", "snappy"},
                          {"X-Prometheus-Remote-Write-Version", "0.1.0"}};
    return client_->Post("/api/v1/write", h, body, "application/x-protobuf");
  }
  httplib::Result Get(const std::string& path) { return client_->Get(path.c_str()); }
  std::string Dump() {
    std::FILE* f = std::tmpfile();
    REQUIRE(tsdb::DumpSamples(*db_, model::kMinTime, model::kMaxTime, {}, f).ok());
    std::rewind(f);
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    std::fclose(f);
    return out;
  }

  base::metrics::Registry registry_;
  promql::Engine engine_;
  testutil::TempDir dir_;
  std::unique_ptr<tsdb::DB> db_;
  std::unique_ptr<web::Server> server_;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace

TEST_CASE("remote-written samples are served by the series, labels and status APIs",
          "[integration][remote_write]") {
  Fixture f;
  auto r = f.Write(Encode({{{{"__name__", "up"}, {"job", "node"}, {"instance", "a:9100"}}, {{1000, 1}, {2000, 1}}},
                           {{{"__name__", "up"}, {"job", "node"}, {"instance", "b:9100"}}, {{1000, 0}}}}));
  REQUIRE(r);
  CHECK(r->status == 204);
  CHECK(r->body.empty());

  auto s = f.Get("/api/v1/series?match[]=up&start=0&end=10");
  REQUIRE(s);
  CHECK(s->status == 200);
  CHECK(s->body ==
        R"({"status":"success","data":[{"__name__":"up","instance":"a:9100","job":"node"},{"__name__":"up","instance":"b:9100","job":"node"}]})");
  auto l = f.Get("/api/v1/labels");
  REQUIRE(l);
  CHECK(l->body == R"({"status":"success","data":["__name__","instance","job"]})");
  auto v = f.Get("/api/v1/label/instance/values?match[]={job=\"node\"}");
  REQUIRE(v);
  CHECK(v->body == R"({"status":"success","data":["a:9100","b:9100"]})");
  auto st = f.Get("/api/v1/status/tsdb");
  REQUIRE(st);
  CHECK(st->body.find(R"("headStats":{"numSeries":2,"numLabelPairs":4,"chunkCount":2,"minTime":1000,"maxTime":2000})") != std::string::npos);
  CHECK(f.Dump() ==
        "{__name__=\"up\", instance=\"a:9100\", job=\"node\"} 1 1000\n"
        "{__name__=\"up\", instance=\"a:9100\", job=\"node\"} 1 2000\n"
        "{__name__=\"up\", instance=\"b:9100\", job=\"node\"} 0 1000\n");
  auto fq = f.Get("/api/v1/format_query?query=sum%20by(job)(rate(up%7Bjob%3D%22x%22%7D%5B5m%5D))");
  REQUIRE(fq);
  CHECK(fq->body == R"x({"status":"success","data":"sum by (job) (rate(up{job=\"x\"}[5m]))"})x");
  auto bad = f.Get("/api/v1/format_query?query=sum(");
  REQUIRE(bad);
  CHECK(bad->status == 400);
  CHECK(bad->body == R"({"status":"error","errorType":"bad_data","error":"1:5: parse error: unclosed left parenthesis"})");
  auto cfg = f.Get("/api/v1/status/config");
  REQUIRE(cfg);
  CHECK(cfg->body == R"({"status":"success","data":{"yaml":"global:\n  scrape_interval: 15s\n"}})");
  auto rt = f.Get("/api/v1/status/runtimeinfo");
  REQUIRE(rt);
  CHECK(rt->status == 200);
  CHECK(rt->body.find(R"("storageRetention":"15d")") != std::string::npos);
  auto m = f.Get("/metrics");
  REQUIRE(m);
  CHECK(m->body.find("prometheus_tsdb_head_series 2") != std::string::npos);
  CHECK(m->body.find("prometheus_tsdb_head_samples_appended_total{type=\"float\"} 3") != std::string::npos);
}

TEST_CASE("out-of-order and duplicate samples are rejected without failing the others",
          "[integration][remote_write]") {
  Fixture f;
  REQUIRE(f.Write(Encode({{{{"__name__", "a"}}, {{2000, 1}}}}))->status == 204);
  auto r = f.Write(Encode({{{{"__name__", "a"}}, {{1000, 1}}},       // out of order
                           {{{"__name__", "a"}}, {{2000, 5}}},       // duplicate
                           {{{"__name__", "b"}}, {{1000, 7}}}}));   // fine
  REQUIRE(r);
  CHECK(r->status == 400);
  CHECK(r->body.find("out of order sample") != std::string::npos);
  CHECK(f.Dump() == "{__name__=\"a\"} 1 2000\n{__name__=\"b\"} 7 1000\n");
  // Resending what is stored is accepted (same timestamp, same value).
  CHECK(f.Write(Encode({{{{"__name__", "a"}}, {{2000, 1}}}}))->status == 204);
}

TEST_CASE("bad remote-write bodies get 400 with a reason and change nothing",
          "[integration][remote_write]") {
  Fixture f;
  REQUIRE(f.Write(Encode({{{{"__name__", "keep"}}, {{1000, 1}}}}))->status == 204);
  const std::string before = f.Dump();
  std::string good = Encode({{{{"__name__", "x"}}, {{1000, 1}}}});
  struct Case {
    std::string name, body, reason;
  };
  std::vector<Case> cases = {
      {"truncated snappy", good.substr(0, good.size() / 2), "snappy"},
      {"not protobuf", Compress("this is not a protobuf message at all \xff\xff\xff"), "decode"},
      {"invalid label name", Encode({{{{"__name__", "x"}, {"bad-name", "v"}}, {{1000, 1}}}}),
       "invalid label name"},
      {"duplicate label name", Encode({{{{"__name__", "x"}, {"a", "1"}, {"a", "2"}}, {{1000, 1}}}}),
       "duplicate label name"},
      {"empty label set", Encode({{{}, {{1000, 1}}}}), "empty label set"},
      {"invalid metric name", Encode({{{{"__name__", "1x"}}, {{1000, 1}}}}), "invalid metric name"},
      {"oversized body", std::string(2 << 20, 'x'), "too large"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    auto r = f.Write(c.body);
    REQUIRE(r);
    CHECK(r->status == 400);
    INFO("body: " << r->body);
    CHECK(r->body.find(c.reason) != std::string::npos);
    CHECK(f.Dump() == before);
    auto ok = f.Get("/-/healthy");
    REQUIRE(ok);
    CHECK(ok->status == 200);
  }
}

TEST_CASE("remote-written samples answer instant and range queries with Prometheus's JSON",
          "[integration][promql]") {
  Fixture f;
  REQUIRE(f.Write(Encode({{{{"__name__", "up"}, {"job", "a"}}, {{1000, 1}, {16000, 0}}},
                          {{{"__name__", "up"}, {"job", "b"}}, {{1000, 1}, {16000, 1}}}}))->status == 204);
  auto q = f.Get("/api/v1/query?query=sum(up)&time=16");
  REQUIRE(q);
  CHECK(q->body == R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[16,"1"]}]}})");
  auto s = f.Get("/api/v1/query?query=1%2B1&time=4");
  REQUIRE(s);
  CHECK(s->body == R"({"status":"success","data":{"resultType":"scalar","result":[4,"2"]}})");
  auto r = f.Get("/api/v1/query_range?query=up%7Bjob%3D%22a%22%7D&start=1&end=16&step=15");
  REQUIRE(r);
  CHECK(r->body == R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","job":"a"},"values":[[1,"1"],[16,"0"]]}]}})");
  auto bad = f.Get("/api/v1/query?query=rate(up)");
  REQUIRE(bad);
  CHECK(bad->status == 400);
  CHECK(bad->body.find(R"("errorType":"bad_data")") != std::string::npos);
  auto many = f.Get("/api/v1/query?query=up%20%2B%20on()%20up&time=16");
  REQUIRE(many);
  CHECK(many->status == 422);
  CHECK(many->body.find("many-to-many matching not allowed") != std::string::npos);
  auto step = f.Get("/api/v1/query_range?query=up&start=1&end=16&step=0");
  REQUIRE(step);
  CHECK(step->body == R"({"status":"error","errorType":"bad_data","error":"zero or negative query resolution step widths are not accepted. Try a positive integer"})");
}

TEST_CASE("Grafana's datasource requests are answered as Prometheus answers them",
          "[integration][promql][grafana]") {
  Fixture f;
  REQUIRE(f.Write(Encode({{{{"__name__", "up"}, {"job", "a"}}, {{1000, 1}, {16000, 1}, {31000, 1}}}}))->status == 204);
  httplib::Headers grafana = {{"X-Grafana-Org-Id", "1"}, {"User-Agent", "Grafana/11.0.0"},
                              {"X-Dashboard-Uid", "abc"}, {"X-Panel-Id", "2"}};
  auto form = [&](const std::string& path, const std::string& body) {
    return f.client_->Post(path.c_str(), grafana, body, "application/x-www-form-urlencoded");
  };
  // "Save & test": an instant query of 1+1 at time=4, then buildinfo.
  auto test = form("/api/v1/query", "query=1%2B1&time=4");
  REQUIRE(test);
  CHECK(test->body == R"({"status":"success","data":{"resultType":"scalar","result":[4,"2"]}})");
  auto build = f.client_->Get("/api/v1/status/buildinfo", grafana);
  REQUIRE(build);
  CHECK(build->body.find(R"("features":{})") != std::string::npos);
  // Resource calls: series and labels as POST, label values as GET.
  auto series = form("/api/v1/series", "match%5B%5D=%7B__name__%21%3D%22%22%7D&limit=40000&start=0&end=100");
  REQUIRE(series);
  CHECK(series->body == R"({"status":"success","data":[{"__name__":"up","job":"a"}]})");
  auto labels = form("/api/v1/labels", "start=0&end=100");
  REQUIRE(labels);
  CHECK(labels->body == R"({"status":"success","data":["__name__","job"]})");
  auto values = f.client_->Get("/api/v1/label/__name__/values?start=0&end=100", grafana);
  REQUIRE(values);
  CHECK(values->body == R"({"status":"success","data":["up"]})");
  // A panel: query_range with fractional float times (printed with three decimals, as
  // Prometheus's MarshalTimestamp), step as a float string, and parameters
  // Prometheus does not know, which are ignored.
  auto range = form("/api/v1/query_range",
                    "query=up&start=1.5&end=31.5&step=15&timeout=30s&requestId=Q-1&utcOffsetSec=0");
  REQUIRE(range);
  CHECK(range->body == R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","job":"a"},"values":[[1.500,"1"],[16.500,"1"],[31.500,"1"]]}]}})");
  auto exemplars = form("/api/v1/query_exemplars", "query=up&start=0&end=100");
  REQUIRE(exemplars);
  CHECK(exemplars->body == R"({"status":"success","data":[]})");
  // GET-only resource calls: metadata (nothing scraped here), rules and alerts (no rule files),
  // status pages.
  auto metadata = f.client_->Get("/api/v1/metadata", grafana);
  REQUIRE(metadata);
  CHECK(metadata->body == R"({"status":"success","data":{}})");
  auto rules = f.client_->Get("/api/v1/rules", grafana);
  REQUIRE(rules);
  CHECK(rules->body == R"({"status":"success","data":{"groups":[]}})");
  auto alerts = f.client_->Get("/api/v1/alerts", grafana);
  REQUIRE(alerts);
  CHECK(alerts->body == R"({"status":"success","data":{"alerts":[]}})");
  for (const char* path : {"/api/v1/status/runtimeinfo", "/api/v1/status/flags", "/api/v1/status/config",
                           "/api/v1/status/tsdb"}) {
    auto st = f.client_->Get(path, grafana);
    REQUIRE(st);
    INFO(path << ": " << st->body);
    CHECK(st->status == 200);
    CHECK(st->body.starts_with(R"({"status":"success","data":{)"));
  }
  // Resource calls Grafana retries as GET after a 400 or 405: both methods work here.
  auto series_get = f.client_->Get("/api/v1/series?match%5B%5D=%7B__name__%21%3D%22%22%7D&limit=40000&start=0&end=100", grafana);
  REQUIRE(series_get);
  CHECK(series_get->body == R"({"status":"success","data":[{"__name__":"up","job":"a"}]})");
  // Rules and alerts are GET only, as Prometheus's.
  auto rules_post = form("/api/v1/rules", "");
  REQUIRE(rules_post);
  CHECK(rules_post->status == 405);
}

TEST_CASE("bad queries get Prometheus's error type, status and message",
          "[integration][promql]") {
  promql::EngineOptions eo;
  eo.max_samples = 100;
  Fixture f(eo);
  Series big{{{"__name__", "big"}}, {}};
  for (int i = 0; i < 200; ++i) big.samples.push_back({i * 1000, static_cast<double>(i)});
  REQUIRE(f.Write(Encode({big, {{{"__name__", "up"}, {"job", "a"}}, {{1000, 1}}},
                          {{{"__name__", "up"}, {"job", "b"}}, {{1000, 1}}}}))->status == 204);
  struct Case {
    std::string query;  // URL-encoded
    int status;
    std::string body;
  };
  const std::vector<Case> cases = {
      {"sum(up", 400, R"({"status":"error","errorType":"bad_data","error":"1:7: parse error: unclosed left parenthesis"})"},
      {"sum(up))", 400, R"({"status":"error","errorType":"bad_data","error":"1:9: parse error: unexpected right parenthesis ')'"})"},
      {"foo(up)", 400, R"({"status":"error","errorType":"bad_data","error":"1:1: parse error: unknown function with name \"foo\""})"},
      {"rate(up)", 400, R"({"status":"error","errorType":"bad_data","error":"1:6: parse error: expected type range vector in call to function \"rate\", got instant vector"})"},
      {"up%20%2B%20on()%20up", 422, R"({"status":"error","errorType":"execution","error":"found duplicate series for the match group {} on the right hand-side of the operation: [{__name__=\"up\", job=\"a\"}, {__name__=\"up\", job=\"b\"}];many-to-many matching not allowed: matching labels must be unique on one side"})"},
      {"sum_over_time(big%5B200s%5D)", 422, R"({"status":"error","errorType":"execution","error":"query processing would load too many samples into memory in query execution"})"},
  };
  for (const Case& c : cases) {
    INFO(c.query);
    auto r = f.Get("/api/v1/query?time=200&query=" + c.query);
    REQUIRE(r);
    CHECK(r->status == c.status);
    CHECK(r->body == c.body);
  }
  // A subquery with more steps than the sample limit fails before evaluating them.
  auto huge = f.Get("/api/v1/query?time=200&query=count_over_time(up%5B100000m%3A1ms%5D)");
  REQUIRE(huge);
  CHECK(huge->status == 422);
  CHECK(huge->body.find("too many samples") != std::string::npos);
  // A query's own timeout: a subquery over five million steps takes more than a millisecond.
  Fixture g;
  REQUIRE(g.Write(Encode({{{{"__name__", "up"}}, {{1000, 1}}}}))->status == 204);
  auto slow = g.Get("/api/v1/query?time=5000&timeout=1ms&query=count_over_time(up%5B5000s%3A1ms%5D)");
  REQUIRE(slow);
  CHECK(slow->status == 503);
  CHECK(slow->body == R"({"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"})");
  auto bad_timeout = f.Get("/api/v1/query?query=up&timeout=soon");
  REQUIRE(bad_timeout);
  CHECK(bad_timeout->status == 400);
  CHECK(bad_timeout->body.find(R"(invalid parameter \"timeout\")") != std::string::npos);
  // Annotations come back as Prometheus's "warnings" and "infos".
  auto info = f.Get("/api/v1/query?time=100&query=rate(big%5B1m%5D)");
  REQUIRE(info);
  CHECK(info->body.find(R"x("infos":["PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"big\" (1:6)"])x") != std::string::npos);
  auto warn = f.Get("/api/v1/query_range?start=0&end=60&step=15&query=sort(up)");
  REQUIRE(warn);
  CHECK(warn->body.find(R"x("warnings":["PromQL warning: sort is ineffective for range queries since results are always ordered by labels (1:1)"])x") != std::string::npos);
  // The server keeps answering.
  auto ok = f.Get("/api/v1/query?query=count(up)&time=1");
  REQUIRE(ok);
  CHECK(ok->body == R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"2"]}]}})");
}
