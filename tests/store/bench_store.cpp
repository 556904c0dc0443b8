// bench_store: export 10,000 schedules; open and list a store of 100 profiles x 20 curves x 200
// points. Prints the figures of one run (goals on a 2-core machine: < 1 s and < 0.5 s).
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <cstdio>
#include <ctime>

#include "core/model/schedule_json.h"
#include "core/store/schedule_csv.h"
#include "core/store/store.h"
#include "store_fixtures.h"

using namespace tp;
using namespace tp::store;

int main() {
    QTemporaryDir dir;
    QElapsedTimer t;

    // 1. 10,000 schedules: save, then export every one as JSON and CSV.
    std::string sched_path = dir.filePath("schedules.sqlite").toStdString();
    std::vector<std::int64_t> ids;
    {
        Store s = Store::open(sched_path, Mode::Create);
        t.start();
        for (int i = 0; i < 10000; ++i)
            ids.push_back(s.save_schedule(store_test::synthetic_schedule("s" + std::to_string(i), 1 + i % 11, 50 + i % 100))
                              .schedule_id);
        std::printf("save 10,000 schedules (one transaction each): %.2f s\n", t.elapsed() / 1000.0);
    }
    {
        // CPU time next to wall time: the machine is shared, wall time includes waiting for a core.
        t.start();
        std::clock_t cpu = std::clock();
        Store s = Store::open(sched_path, Mode::ReadOnly);
        std::vector<Schedule> loaded;
        for (std::int64_t id : ids) loaded.push_back(s.load_schedule(id));
        double load_wall = t.elapsed() / 1000.0, load_cpu = double(std::clock() - cpu) / CLOCKS_PER_SEC;
        std::size_t json_bytes = 0, csv_bytes = 0;
        for (const Schedule& sch : loaded) json_bytes += to_json(sch).dump(2).size();
        double json_wall = t.elapsed() / 1000.0;
        for (const Schedule& sch : loaded) csv_bytes += schedule_to_csv(sch).size();
        double all_wall = t.elapsed() / 1000.0, all_cpu = double(std::clock() - cpu) / CLOCKS_PER_SEC;
        std::printf("export 10,000 schedules: %.3f s wall, %.3f s CPU   [goal < 1 s]\n"
                    "  load from store %.3f s wall (%.3f s CPU), JSON %.3f s (%.1f MB), CSV %.3f s (%.1f MB)\n",
                    all_wall, all_cpu, load_wall, load_cpu, json_wall - load_wall, json_bytes / 1e6,
                    all_wall - json_wall, csv_bytes / 1e6);
        t.start();
        auto rows = s.list_schedules();
        std::printf("list 10,000 schedules: %.3f s (%zu rows)\n", t.elapsed() / 1000.0, rows.size());
    }

    // 2. 100 profiles x 20 curves x 200 points.
    std::string prof_path = dir.filePath("profiles.sqlite").toStdString();
    {
        Store s = Store::open(prof_path, Mode::Create);
        t.start();
        for (int i = 0; i < 100; ++i) {
            store_test::ProfileShape shape;
            shape.seed = i + 1;
            shape.curves = 20;
            shape.points = 200;
            shape.optionals = false;
            Profile p = store_test::synthetic_profile(shape);
            p.model.tokens = 201;  // 200 points at every token count 1..200
            for (auto& c : p.curves) {
                c.points.clear();
                for (int n = 1; n <= 200; ++n) {
                    CurvePoint pt;
                    pt.tokens = n;
                    pt.median_ms = pt.mean_ms = pt.p10_ms = pt.p90_ms = pt.min_ms = 1.0 + n * 0.01 + i * 1e-4;
                    c.points.push_back(pt);
                }
            }
            s.import_profile(p);
        }
        std::printf("import 100 profiles x 20 curves x 200 points: %.2f s\n", t.elapsed() / 1000.0);
    }
    t.start();
    Store s = Store::open(prof_path, Mode::ReadOnly);
    auto devices = s.list_devices();
    auto models = s.list_models();
    auto runs = s.list_runs();
    auto schedules = s.list_schedules();
    std::printf("open + list devices/models/runs/schedules (%zu runs): %.3f s   [goal < 0.5 s]\n", runs.size(),
                t.elapsed() / 1000.0);
    t.start();
    Profile p = s.load_profile(runs.back().id);
    std::printf("load one profile (%zu curves): %.3f s\n", p.curves.size(), t.elapsed() / 1000.0);
    t.start();
    auto problems = s.check();
    std::printf("store check (re-hashes every run): %.2f s, %zu problem(s)\n", t.elapsed() / 1000.0, problems.size());
    return 0;
}
