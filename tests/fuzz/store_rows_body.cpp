// The store rows body (fuzz_bodies.h: tp::fuzz::store_rows). A store is input from others too (a
// shared file, a snapshot someone sent), so its rows are parsed like any file: the input is a list
// of edits applied with plain SQLite to a small valid store (one line each):
//
//   TABLE.COLUMN = VALUE        every row of TABLE            points.samples = 4294967296
//   TABLE.COLUMN#N = VALUE      its N-th row (key order)      curves.scope_block#1 = 99
//   -TABLE  /  -TABLE#N         delete every row / the N-th   -models
//
// VALUE: null, an integer, a real, x'HEX' (a blob), 'TEXT (the rest of the line; \n and \\ escaped)
// or any other text. Check constraints are off (a crafted file need not keep them); an edit SQLite
// refuses (NOT NULL, UNIQUE) is skipped. The edited store is opened as a snapshot and read through
// every read of tp::store::Store. Refusals: StoreError Corrupt or NotFound (thrown on as a
// FormatError). Findings: a crash, a sanitizer report, any other exception, or a broken promise: a
// profile or schedule read from the store must be one its file reader accepts (a calibration
// made of its rows is read by that reader: tp::from_store_rows).
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "core/accuracy/accuracy_data.h"
#include "core/model/profile_json.h"
#include "core/model/schedule_json.h"
#include "core/store/accuracy_rows.h"
#include "core/store/schedule_csv.h"
#include "core/store/store.h"
#include "tests/fuzz/fuzz_bodies.h"
#include "tests/store/store_fixtures.h"

namespace tp::fuzz {

namespace {

namespace fs = std::filesystem;

void promise(bool holds, const std::string& what) {
    if (!holds) throw std::logic_error("broken promise: " + what);
}

// The tables and the key that orders their rows (WITHOUT ROWID tables: their primary key).
const std::map<std::string, std::string>& tables() {
    static const std::map<std::string, std::string> keys = {
        {"devices", "rowid"},           {"models", "rowid"},
        {"runs", "rowid"},              {"curves", "rowid"},
        {"points", "curve_id, tokens"}, {"census", "run_id, position, kernel_position"},
        {"schedules", "rowid"},         {"schedule_revisions", "rowid"},
        {"evaluations", "rowid"},       {"calibrations", "rowid"},
        {"stale_flags", "revision_id, newer_run_id"},
    };
    return keys;
}

// A small valid store, written once per process: two runs of one device and model (the second
// moves an edge, so the schedule tuned on the first is flagged stale), a schedule with two
// revisions and three evaluations, two calibration rows. Kept as bytes; each input starts from them.
struct Template {
    fs::path folder;
    fs::path work;
    std::string bytes;
    std::map<std::string, std::set<std::string>> columns;

    Template() {
        std::string base = "/dev/shm";
        if (::access(base.c_str(), W_OK) != 0) base = fs::temp_directory_path().string();
        std::string pattern = base + "/tailprune-fuzz-store-XXXXXX";
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("fuzz store: cannot make a folder under " + base);
        folder = pattern;
        work = folder / "edited.sqlite";
        const std::string live = (folder / "live.sqlite").string(), published = (folder / "template.sqlite").string();
        store::Options options;
        options.journal = store::Journal::Rollback;
        {
            auto s = store::Store::open(live, store::Mode::Create, options);
            store_test::ProfileShape shape;
            shape.curves = 3;
            shape.points = 6;
            shape.edge_tokens = 60;
            const std::int64_t run = s.import_profile(store_test::synthetic_profile(shape)).run_id;
            Schedule schedule = store_test::synthetic_schedule("cut", 3, 120);
            Measurement latency;
            latency.kind = "latency";
            latency.value = 12.75;
            latency.low = 12.5;
            latency.high = 13.0;
            latency.device = schedule.device.identity();
            latency.date = "2026-11-02T10:00:00Z";
            schedule.measurements.push_back(latency);
            const auto saved = s.save_schedule(schedule, run);
            Measurement top1;
            top1.kind = "top1";
            top1.value = 0.875;
            top1.low = 0.86;
            top1.high = 0.89;
            top1.dataset = "fashion-mnist:holdout/2000@seed1";
            top1.images = 2000;
            s.add_evaluation(saved.schedule_id, saved.revision, top1);
            s.set_status(saved.schedule_id, "approved", "reviewer");
            shape.seed = 2;
            shape.date = "2026-11-03T10:00:00Z";
            shape.edge_tokens = 150;
            s.import_profile(store_test::synthetic_profile(shape));
            store::Calibration c;
            c.model = store_test::vit_model();
            c.dataset = "fashion-mnist";
            AccuracySubset subset;
            subset.size = 2000;
            subset.seed = 1;
            c.subset = subset.label();
            c.method = "pomt";
            c.tokens_after_block = schedule.tokens_after_block;
            c.images = 2000;
            c.value = 0.875;
            c.date = "2026-11-02T10:00:00Z";
            c.who = "tester";
            s.add_calibration(c);
            c.metric = "top5";
            c.value = 0.99;
            s.add_calibration(c);
            s.publish(published);
        }
        std::ifstream in(published, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        SQLite::Database db(published, SQLite::OPEN_READONLY);
        for (const auto& [table, key] : tables()) {
            SQLite::Statement q(db, "SELECT name FROM pragma_table_info(?)");
            q.bind(1, table);
            while (q.executeStep()) columns[table].insert(q.getColumn(0).getString());
        }
        fs::remove(live);
        fs::remove(published);
    }
    ~Template() {
        std::error_code ec;
        fs::remove_all(folder, ec);
    }
};

const Template& the_template() {
    static const Template t;
    return t;
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r"), e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// "TABLE" or "TABLE#N" -> table and row (none: every row). False when it names no table.
bool parse_target(const std::string& text, std::string& table, std::optional<long long>& row) {
    const auto hash = text.find('#');
    table = trim(text.substr(0, hash));
    row.reset();
    if (hash != std::string::npos) {
        const std::string n = trim(text.substr(hash + 1));
        if (n.empty() || n.size() > 9 || n.find_first_not_of("0123456789") != std::string::npos) return false;
        row = std::stoll(n);
    }
    return tables().count(table) == 1;
}

std::string where_row(const std::string& table, const std::optional<long long>& row) {
    if (!row) return std::string();
    const std::string& key = tables().at(table);
    return " WHERE (" + key + ") = (SELECT " + key + " FROM " + table + " ORDER BY " + key + " LIMIT 1 OFFSET " +
           std::to_string(*row) + ")";
}

void bind_value(SQLite::Statement& s, const std::string& raw) {
    const std::string v = trim(raw);
    if (v == "null") {
        s.bind(1);
        return;
    }
    if (v.size() >= 3 && (v[0] == 'x' || v[0] == 'X') && v[1] == '\'' && v.back() == '\'') {
        std::string hex = v.substr(2, v.size() - 3), blob;
        if (hex.size() % 2 == 0 && hex.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos) {
            for (std::size_t i = 0; i < hex.size(); i += 2)
                blob += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
            s.bind(1, blob.data(), static_cast<int>(blob.size()));
            return;
        }
    }
    if (!v.empty() && v[0] == '\'') {
        std::string text;
        for (std::size_t i = 1; i < v.size(); ++i) {
            if (v[i] == '\\' && i + 1 < v.size()) {
                ++i;
                text += v[i] == 'n' ? '\n' : v[i];
            } else if (!(v[i] == '\'' && i + 1 == v.size())) {
                text += v[i];
            }
        }
        s.bind(1, text);
        return;
    }
    if (!v.empty()) {
        char* end = nullptr;
        errno = 0;
        const long long i = std::strtoll(v.c_str(), &end, 10);
        if (*end == '\0' && errno == 0) {
            s.bind(1, static_cast<int64_t>(i));
            return;
        }
        errno = 0;
        const double d = std::strtod(v.c_str(), &end);
        if (*end == '\0' && errno == 0) {
            s.bind(1, d);
            return;
        }
    }
    s.bind(1, v);
}

void apply_edits(const Template& t, const std::string& input) {
    {
        std::ofstream out(t.work, std::ios::binary | std::ios::trunc);
        out.write(t.bytes.data(), static_cast<std::streamsize>(t.bytes.size()));
        if (!out) throw std::runtime_error("fuzz store: cannot write " + t.work.string());
    }
    SQLite::Database db(t.work.string(), SQLite::OPEN_READWRITE);
    db.exec("PRAGMA journal_mode = OFF");
    db.exec("PRAGMA synchronous = OFF");
    db.exec("PRAGMA ignore_check_constraints = ON");
    std::istringstream lines(input);
    std::string line;
    int edits = 0;
    while (std::getline(lines, line) && edits < 64) {
        std::string table;
        std::optional<long long> row;
        std::string sql;
        std::optional<std::string> value;
        if (!line.empty() && line[0] == '-') {
            if (!parse_target(line.substr(1), table, row)) continue;
            sql = "DELETE FROM " + table + where_row(table, row);
        } else {
            const auto eq = line.find('=');
            if (eq == std::string::npos) continue;
            const std::string lhs = line.substr(0, eq);
            const auto dot = lhs.find('.');
            if (dot == std::string::npos) continue;
            const std::string rest = lhs.substr(dot + 1);
            const auto hash = rest.find('#');
            const std::string column = trim(rest.substr(0, hash));
            if (!parse_target(lhs.substr(0, dot) + (hash == std::string::npos ? "" : rest.substr(hash)), table, row))
                continue;
            if (t.columns.at(table).count(column) != 1) continue;
            sql = "UPDATE " + table + " SET \"" + column + "\" = ?" + where_row(table, row);
            value = line.substr(eq + 1);
        }
        ++edits;
        try {
            SQLite::Statement s(db, sql);
            if (value) bind_value(s, *value);
            s.exec();
        } catch (const SQLite::Exception&) {
            // A constraint SQLite keeps (NOT NULL, UNIQUE, a primary key): that edit is not made.
        }
    }
}

}  // namespace

void store_rows(const std::string& input) {
    const Template& t = the_template();
    apply_edits(t, input);

    std::string first_refusal;
    // Runs one read; a refusal (the store reported as damaged, or a listed item gone) is noted and
    // the next read goes on; every other exception escapes as a finding.
    auto attempt = [&](auto&& read) {
        try {
            read();
        } catch (const store::StoreError& e) {
            if (e.kind() != store::StoreError::Kind::Corrupt && e.kind() != store::StoreError::Kind::NotFound)
                throw std::logic_error(std::string("store error of kind ") + std::to_string(int(e.kind())) +
                                       " on a damaged store (want Corrupt): " + e.what());
            if (first_refusal.empty()) first_refusal = e.what();
        }
    };

    std::optional<store::Store> opened;
    attempt([&] { opened.emplace(store::Store::open(t.work.string(), store::Mode::Snapshot)); });
    if (opened) {
        const store::Store& s = *opened;
        attempt([&] { (void)s.list_devices(); });
        attempt([&] { (void)s.list_models(); });
        std::vector<store::RunRow> runs;
        attempt([&] { runs = s.list_runs(); });
        for (const auto& run : runs)
            attempt([&] {
                const Profile p = s.load_profile(run.id);
                const std::string text = to_json(p).dump();
                try {
                    (void)parse_profile(text, "store.profile.json");
                } catch (const FormatError& e) {
                    promise(false, "run " + std::to_string(run.id) +
                                       " read from the store is a profile its file reader refuses: " + e.what());
                }
            });
        std::vector<store::ScheduleRow> schedules;
        attempt([&] { schedules = s.list_schedules(); });
        for (const auto& row : schedules) {
            std::vector<store::RevisionRow> history;
            attempt([&] { history = s.schedule_history(row.id); });
            attempt([&] { (void)s.stale_reasons(row.id); });
            std::vector<int> revisions = {0};
            for (const auto& h : history) revisions.push_back(h.revision);
            for (int revision : revisions)
                attempt([&] {
                    const Schedule sc = s.load_schedule(row.id, revision);
                    (void)store::schedule_to_csv(sc);
                    try {
                        (void)parse_schedule(to_json(sc).dump(), "store.schedule.json");
                    } catch (const FormatError& e) {
                        promise(false, "schedule " + std::to_string(row.id) +
                                           " read from the store is one its file reader refuses: " + e.what());
                    }
                });
        }
        std::vector<store::Calibration> calibrations;
        attempt([&] { calibrations = s.list_calibrations(); });
        std::set<std::string> subsets;
        for (const auto& c : calibrations) subsets.insert(c.subset);
        for (const auto& label : subsets) {
            const store::Calibration* first = nullptr;
            for (const auto& c : calibrations)
                if (c.subset == label) first = first ? first : &c;
            const std::optional<AccuracySubset> subset = subset_from_label(label);
            if (!subset) {
                if (first_refusal.empty()) first_refusal = "calibration subset label '" + label + "' is not valid";
                continue;
            }
            // from_store_rows gives a calibration its file reader accepts, or a FormatError.
            try {
                const AccuracyCalibration cal = from_store_rows(calibrations, first->model, *subset);
                (void)parse_accuracy_calibration(accuracy_calibration_to_text(cal), "store.accuracy.json");
            } catch (const FormatError& e) {
                if (first_refusal.empty()) first_refusal = e.what();
            }
        }
        attempt([&] { (void)s.check(); });
    }
    if (!first_refusal.empty()) throw FormatError("", first_refusal);
}

}  // namespace tp::fuzz
