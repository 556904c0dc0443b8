// Schedules in the store: named, revisioned (an edit adds a revision), with evaluations and
// staleness flags.
#include <algorithm>
#include <cctype>

#include "core/model/profile_json.h"
#include "core/model/schedule_json.h"
#include "core/util/input_limits.h"
#include "core/util/sha256.h"
#include "core/store/store_impl.h"

namespace tp::store {
namespace {

using nlohmann::json;

bool is_known_status(const std::string& s) { return s == "draft" || s == "approved" || s == "deployed"; }

// What a measurement applies to: equal for revisions that differ only in status, notes or author.
std::string config_hash(const Schedule& s) {
    json params = json::object();
    for (const auto& [k, v] : s.parameters) params[k] = v;
    json key = {{"method", s.method}, {"parameters", params}, {"tokens", s.tokens_after_block},
                {"model", to_json(s.model)}, {"device", s.device.name.empty() ? "" : s.device.identity()}};
    return sha256_hex(key.dump());
}

std::pair<std::string, std::string> split_dataset(const std::string& dataset) {
    auto colon = dataset.find(':');
    if (colon == std::string::npos) return {dataset, ""};
    return {dataset.substr(0, colon), dataset.substr(colon + 1)};
}

struct RevisionKey {
    std::int64_t id = 0;
    int revision = 0;
    std::string config_hash;
};

RevisionKey revision_key(Store::Impl& impl, std::int64_t schedule_id, int revision) {
    SQLite::Statement& q = impl.cached(revision > 0
                                ? "SELECT id, revision, config_hash FROM schedule_revisions WHERE schedule_id = ? AND "
                                  "revision = ?"
                                : "SELECT id, revision, config_hash FROM schedule_revisions WHERE schedule_id = ? "
                                  "ORDER BY revision DESC LIMIT 1");
    q.bind(1, schedule_id);
    if (revision > 0) q.bind(2, revision);
    if (!q.executeStep())
        throw StoreError(StoreError::Kind::NotFound,
                         revision > 0 ? "schedule " + std::to_string(schedule_id) + " has no revision " +
                                            std::to_string(revision)
                                      : "no schedule with id " + std::to_string(schedule_id));
    RevisionKey key{q.getColumn(0).getInt64(), stored_int(q.getColumn(1)), q.getColumn(2).getString()};
    q.reset();
    return key;
}

void insert_evaluation(SQLite::Database& db, std::int64_t revision_id, const std::string& config,
                       const Measurement& m) {
    if (m.kind != "latency" && m.kind != "top1" && m.kind != "top5")
        throw StoreError(StoreError::Kind::Invalid, "evaluation kind must be latency, top1 or top5 (is '" + m.kind + "')");
    auto [dataset, subset] = split_dataset(m.dataset);
    // The same measurement arriving again (re-importing an exported schedule) is kept once.
    SQLite::Statement seen(db, R"(SELECT 1 FROM evaluations e JOIN schedule_revisions r ON r.id = e.revision_id
        WHERE r.schedule_id = (SELECT schedule_id FROM schedule_revisions WHERE id = ?) AND r.config_hash = ?
          AND e.kind = ? AND e.value = ? AND e.low = ? AND e.high = ? AND e.device = ? AND e.dataset = ?
          AND e.subset = ? AND e.images = ? AND e.date = ? AND e.tool_version = ?)");
    SQLite::Statement insert(db, "INSERT INTO evaluations (revision_id, kind, value, low, high, device, dataset, "
                                 "subset, images, date, tool_version) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    seen.bind(1, revision_id);
    seen.bind(2, config);
    insert.bind(1, revision_id);
    int i = 2;
    for (SQLite::Statement* s : {&seen, &insert}) {
        i = s == &seen ? 3 : 2;
        s->bind(i++, m.kind);
        s->bind(i++, m.value);
        s->bind(i++, m.low);
        s->bind(i++, m.high);
        s->bind(i++, m.device);
        s->bind(i++, dataset);
        s->bind(i++, subset);
        s->bind(i++, m.images);
        s->bind(i++, m.date);
        s->bind(i++, m.tool_version);
    }
    if (!seen.executeStep()) insert.exec();
}

std::optional<std::int64_t> newest_run_for(SQLite::Database& db, std::int64_t model_id,
                                           std::optional<std::int64_t> device_id, const ModelInfo& m) {
    if (!device_id) return std::nullopt;
    SQLite::Statement q(db, "SELECT id FROM runs WHERE device_id = ? AND model_id = ? AND batch = ? AND dtype = ? "
                            "ORDER BY date DESC, id DESC LIMIT 1");
    q.bind(1, *device_id);
    q.bind(2, model_id);
    q.bind(3, m.batch);
    q.bind(4, m.dtype);
    if (!q.executeStep()) return std::nullopt;
    return q.getColumn(0).getInt64();
}

SavedRevision insert_revision(SQLite::Database& db, const Schedule& s, std::optional<std::int64_t> tuned_run_id,
                              bool use_newest_run) {
    validate(s);
    if (s.name.empty()) throw StoreError(StoreError::Kind::Invalid, "a schedule needs a name to be stored");
    if (!is_known_status(s.status))
        throw StoreError(StoreError::Kind::Invalid, "unknown status '" + s.status + "' (draft, approved, deployed)");
    std::string now = now_iso8601();
    SQLite::Statement add_schedule(db, "INSERT OR IGNORE INTO schedules (name, created) VALUES (?, ?)");
    add_schedule.bind(1, s.name);
    add_schedule.bind(2, s.created.empty() ? now : s.created);
    add_schedule.exec();
    SQLite::Statement find(db, "SELECT s.id, coalesce(max(r.revision), 0) FROM schedules s "
                               "LEFT JOIN schedule_revisions r ON r.schedule_id = s.id WHERE s.name = ? GROUP BY s.id");
    find.bind(1, s.name);
    find.executeStep();
    SavedRevision saved{find.getColumn(0).getInt64(), stored_int(find.getColumn(1)) + 1};

    std::int64_t model_id = model_id_for(db, s.model);
    std::optional<std::int64_t> device_id;
    if (!s.device.name.empty()) device_id = device_id_for(db, s.device);
    if (use_newest_run && !tuned_run_id) tuned_run_id = newest_run_for(db, model_id, device_id, s.model);
    if (tuned_run_id) {
        SQLite::Statement run(db, "SELECT 1 FROM runs WHERE id = ?");
        run.bind(1, *tuned_run_id);
        if (!run.executeStep())
            throw StoreError(StoreError::Kind::NotFound, "no run " + std::to_string(*tuned_run_id) + " in the store");
    }
    json params = json::object();
    for (const auto& [k, v] : s.parameters) params[k] = v;
    std::string config = config_hash(s);

    SQLite::Statement q(db, R"(INSERT INTO schedule_revisions (schedule_id, revision, model_id, device_id, device,
        batch, dtype, method, parameters, tokens_after_block, notes, author, status, format_version, predicted_ms,
        predicted_low_ms, predicted_high_ms, updated, config_hash, tuned_run_id)
        VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?))");
    int i = 0;
    q.bind(++i, saved.schedule_id);
    q.bind(++i, saved.revision);
    q.bind(++i, model_id);
    if (device_id) q.bind(++i, *device_id); else q.bind(++i);
    q.bind(++i, s.device.name.empty() ? std::string() : to_json(s.device).dump());
    q.bind(++i, s.model.batch);
    q.bind(++i, s.model.dtype);
    q.bind(++i, s.method);
    q.bind(++i, params.dump());
    q.bind(++i, json(s.tokens_after_block).dump());
    q.bind(++i, s.notes);
    q.bind(++i, s.author);
    q.bind(++i, s.status);
    q.bind(++i, s.format_version);
    if (s.predicted_latency) {
        q.bind(++i, s.predicted_latency->latency_ms);
        q.bind(++i, s.predicted_latency->low_ms);
        q.bind(++i, s.predicted_latency->high_ms);
    } else {
        q.bind(++i);
        q.bind(++i);
        q.bind(++i);
    }
    q.bind(++i, now);
    q.bind(++i, config);
    if (tuned_run_id) q.bind(++i, *tuned_run_id); else q.bind(++i);
    q.exec();
    std::int64_t revision_id = db.getLastInsertRowid();
    for (const Measurement& m : s.measurements) insert_evaluation(db, revision_id, config, m);
    return saved;
}

}  // namespace

Schedule read_schedule(Store::Impl& impl, std::int64_t schedule_id, int revision) {
    SQLite::Database& db = impl.db;
    RevisionKey key = revision_key(impl, schedule_id, revision);
    SQLite::Statement& q = impl.cached(R"(SELECT s.name, s.created, r.model_id, r.device, r.batch, r.dtype, r.method,
        r.parameters, r.tokens_after_block, r.notes, r.author, r.status, r.format_version, r.predicted_ms,
        r.predicted_low_ms, r.predicted_high_ms, r.updated, r.revision
        FROM schedule_revisions r JOIN schedules s ON s.id = r.schedule_id WHERE r.id = ?)");
    q.bind(1, key.id);
    q.executeStep();
    std::string what = "schedule " + std::to_string(schedule_id) + " revision " + std::to_string(key.revision);
    Schedule s;
    int i = 0;
    auto col = [&]() { return q.getColumn(i++); };
    s.name = col().getString();
    s.created = col().getString();
    std::int64_t model_id = col().getInt64();
    std::string device = col().getString();
    int batch = stored_int(col());
    std::string dtype = col().getString();
    s.method = col().getString();
    json params = parse_stored_json(col().getString(), what + " parameters");
    for (auto it = params.begin(); it != params.end(); ++it) s.parameters[it.key()] = it->get<double>();
    s.tokens_after_block = stored_int_list(col().getString(), what + " tokens", 0, limits::kTokens);
    s.notes = col().getString();
    s.author = col().getString();
    s.status = col().getString();
    s.format_version = stored_int(col());
    SQLite::Column predicted = col();
    if (!predicted.isNull())
        s.predicted_latency = LatencyPrediction{predicted.getDouble(), q.getColumn(i).getDouble(),
                                              q.getColumn(i + 1).getDouble()};
    i += 2;
    s.updated = col().getString();
    s.revision = stored_int(col());
    q.reset();
    s.model = load_model(impl, model_id);
    s.model.batch = batch;
    s.model.dtype = dtype;
    if (!device.empty()) s.device = device_from_json(parse_stored_json(device, what + " device"), "/device");

    SQLite::Statement& m = impl.cached(R"(SELECT e.kind, e.value, e.low, e.high, e.device, e.dataset, e.subset, e.images,
        e.date, e.tool_version FROM evaluations e JOIN schedule_revisions r ON r.id = e.revision_id
        WHERE r.schedule_id = ? AND r.config_hash = ? ORDER BY e.id)");
    m.bind(1, schedule_id);
    m.bind(2, key.config_hash);
    while (m.executeStep()) {
        Measurement x;
        x.kind = m.getColumn(0).getString();
        x.value = m.getColumn(1).getDouble();
        x.low = m.getColumn(2).getDouble();
        x.high = m.getColumn(3).getDouble();
        x.device = m.getColumn(4).getString();
        x.dataset = m.getColumn(5).getString();
        std::string subset = m.getColumn(6).getString();
        if (!subset.empty()) x.dataset += ":" + subset;
        x.images = stored_int(m.getColumn(7));
        x.date = m.getColumn(8).getString();
        x.tool_version = m.getColumn(9).getString();
        s.measurements.push_back(std::move(x));
    }
    m.reset();
    // The one reader of schedules checks it: the rules a schedule file is held to (tokens per block
    // within the model, text that is UTF-8, ...) hold for the store's rows too, or the store is damaged.
    std::string text;
    try {
        text = to_json(s).dump();
    } catch (const json::exception& e) {
        throw StoreError(StoreError::Kind::Corrupt, what + " holds text that is not UTF-8 (" + e.what() + ")");
    }
    try {
        (void)parse_schedule(text, what);
    } catch (const FormatError& e) {
        throw StoreError(StoreError::Kind::Corrupt, what + " is not a valid schedule: " + e.what());
    }
    return s;
}

namespace {

std::vector<std::string> read_stale_reasons(SQLite::Database& db, std::int64_t revision_id) {
    std::vector<std::string> reasons;
    SQLite::Statement q(db, "SELECT newer_run_id, reason FROM stale_flags WHERE revision_id = ? ORDER BY newer_run_id");
    q.bind(1, revision_id);
    while (q.executeStep())
        reasons.push_back("run " + std::to_string(q.getColumn(0).getInt64()) + ": " + q.getColumn(1).getString());
    return reasons;
}

}  // namespace

int flag_stale_schedules(Store::Impl& impl, std::int64_t run_id, const Profile& newer) {
    if (!impl.options.edge_finder) return 0;
    SQLite::Database& db = impl.db;
    // Latest revisions tuned on an older run of the same device, model, batch and dtype.
    SQLite::Statement q(db, R"(SELECT r.id, r.tuned_run_id, t.driver_version, t.runtime_version, t.torch_version,
        t.tf32, t.attention_backend, n.driver_version, n.runtime_version, n.torch_version, n.tf32, n.attention_backend
        FROM schedule_revisions r
        JOIN runs t ON t.id = r.tuned_run_id
        JOIN runs n ON n.id = ?1
        WHERE r.revision = (SELECT max(revision) FROM schedule_revisions x WHERE x.schedule_id = r.schedule_id)
          AND t.device_id = n.device_id AND t.model_id = n.model_id AND t.batch = n.batch AND t.dtype = n.dtype
          AND t.id <> n.id AND (t.date < n.date OR (t.date = n.date AND t.id < n.id)))");
    q.bind(1, run_id);
    struct Candidate {
        std::int64_t revision_id, tuned_run_id;
        std::string stack_change;
    };
    std::vector<Candidate> candidates;
    while (q.executeStep()) {
        static const char* kStack[] = {"driver", "CUDA runtime", "LibTorch", "TF32", "attention backend"};
        std::string change;
        for (int k = 0; k < 5; ++k) {
            std::string before = q.getColumn(2 + k).getString(), after = q.getColumn(7 + k).getString();
            if (before != after) change += std::string(change.empty() ? "" : ", ") + kStack[k] + " " + before + " → " + after;
        }
        candidates.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), change});
    }
    q.reset();
    int flagged = 0;
    std::map<std::int64_t, std::vector<std::string>> moved_by_run;
    SQLite::Statement flag(db, "INSERT OR IGNORE INTO stale_flags (revision_id, newer_run_id, reason) VALUES (?,?,?)");
    for (const Candidate& c : candidates) {
        auto found = moved_by_run.find(c.tuned_run_id);
        if (found == moved_by_run.end())
            found = moved_by_run
                        .emplace(c.tuned_run_id,
                                 moved_edges(read_profile(db, c.tuned_run_id).curves, newer.curves,
                                             impl.options.edge_finder))
                        .first;
        if (found->second.empty()) continue;
        std::string reason;
        for (const auto& line : found->second) reason += (reason.empty() ? "" : "; ") + line;
        if (!c.stack_change.empty()) reason += " (stack: " + c.stack_change + ")";
        flag.bind(1, c.revision_id);
        flag.bind(2, run_id);
        flag.bind(3, reason);
        flag.exec();
        flag.reset();
        ++flagged;
    }
    return flagged;
}

SavedRevision Store::save_schedule(const Schedule& schedule, std::optional<std::int64_t> tuned_run_id) {
    return write_transaction(*impl_, "save a schedule",
                             [&] { return insert_revision(impl_->db, schedule, tuned_run_id, true); });
}

std::int64_t Store::find_schedule(const std::string& id_or_name) const {
    return guarded(impl_->path, [&] {
        bool numeric = !id_or_name.empty() && id_or_name.size() < 18 &&
                       std::all_of(id_or_name.begin(), id_or_name.end(), [](unsigned char c) { return std::isdigit(c); });
        SQLite::Statement q(impl_->db, numeric ? "SELECT id FROM schedules WHERE id = ?"
                                               : "SELECT id FROM schedules WHERE name = ?");
        if (numeric) q.bind(1, static_cast<int64_t>(std::stoll(id_or_name))); else q.bind(1, id_or_name);
        if (!q.executeStep())
            throw StoreError(StoreError::Kind::NotFound, "no schedule " + std::string(numeric ? "with id " : "named ") +
                                                             "'" + id_or_name + "' in " + impl_->path);
        return q.getColumn(0).getInt64();
    });
}

Schedule Store::load_schedule(std::int64_t schedule_id, int revision) const {
    return read_transaction(*impl_, [&] { return read_schedule(*impl_, schedule_id, revision); });
}

std::vector<ScheduleRow> Store::list_schedules() const {
    return read_transaction(*impl_, [&] {
        std::vector<ScheduleRow> rows;
        std::vector<std::int64_t> flagged_revisions;
        SQLite::Statement q(impl_->db, R"(SELECT s.id, s.name, r.status, r.method, m.name, coalesce(d.identity, ''),
            r.dtype, r.author, s.created, r.updated, r.revision, r.batch,
            EXISTS (SELECT 1 FROM stale_flags f WHERE f.revision_id = r.id), r.id
            FROM schedules s
            JOIN schedule_revisions r ON r.schedule_id = s.id
                 AND r.revision = (SELECT max(revision) FROM schedule_revisions x WHERE x.schedule_id = s.id)
            JOIN models m ON m.id = r.model_id LEFT JOIN devices d ON d.id = r.device_id
            ORDER BY s.name)");
        while (q.executeStep()) {
            ScheduleRow r;
            int i = 0;
            r.id = q.getColumn(i++).getInt64();
            r.name = q.getColumn(i++).getString();
            r.status = q.getColumn(i++).getString();
            r.method = q.getColumn(i++).getString();
            r.model = q.getColumn(i++).getString();
            r.device = q.getColumn(i++).getString();
            r.dtype = q.getColumn(i++).getString();
            r.author = q.getColumn(i++).getString();
            r.created = q.getColumn(i++).getString();
            r.updated = q.getColumn(i++).getString();
            r.revision = stored_int(q.getColumn(i++));
            r.batch = stored_int(q.getColumn(i++));
            if (stored_int(q.getColumn(i++))) flagged_revisions.push_back(q.getColumn(i).getInt64());
            else flagged_revisions.push_back(0);
            rows.push_back(std::move(r));
        }
        q.reset();
        for (std::size_t k = 0; k < rows.size(); ++k)
            if (flagged_revisions[k]) rows[k].stale_reasons = read_stale_reasons(impl_->db, flagged_revisions[k]);
        return rows;
    });
}

std::vector<RevisionRow> Store::schedule_history(std::int64_t schedule_id) const {
    return read_transaction(*impl_, [&] {
        revision_key(*impl_, schedule_id, 0);  // NotFound for an unknown schedule
        std::vector<RevisionRow> rows;
        SQLite::Statement q(impl_->db, "SELECT revision, status, author, updated, notes, method, tokens_after_block, "
                                       "tuned_run_id FROM schedule_revisions WHERE schedule_id = ? ORDER BY revision");
        q.bind(1, schedule_id);
        while (q.executeStep()) {
            RevisionRow r;
            r.revision = stored_int(q.getColumn(0));
            r.status = q.getColumn(1).getString();
            r.author = q.getColumn(2).getString();
            r.updated = q.getColumn(3).getString();
            r.notes = q.getColumn(4).getString();
            r.method = q.getColumn(5).getString();
            r.tokens_after_block = stored_int_list(q.getColumn(6).getString(), "revision tokens", 0, limits::kTokens);
            if (!q.getColumn(7).isNull()) r.tuned_run_id = q.getColumn(7).getInt64();
            rows.push_back(std::move(r));
        }
        return rows;
    });
}

SavedRevision Store::set_status(std::int64_t schedule_id, const std::string& status, const std::string& author) {
    if (!is_known_status(status))
        throw StoreError(StoreError::Kind::Invalid, "unknown status '" + status + "' (draft, approved, deployed)");
    return write_transaction(*impl_, "change a schedule's status", [&] {
        SQLite::Database& db = impl_->db;
        Schedule s = read_schedule(*impl_, schedule_id, 0);
        SQLite::Statement tuned(db, "SELECT tuned_run_id FROM schedule_revisions WHERE schedule_id = ? AND revision = ?");
        tuned.bind(1, schedule_id);
        tuned.bind(2, s.revision);
        tuned.executeStep();
        std::optional<std::int64_t> tuned_run;
        if (!tuned.getColumn(0).isNull()) tuned_run = tuned.getColumn(0).getInt64();
        tuned.reset();
        s.status = status;
        if (!author.empty()) s.author = author;
        s.measurements.clear();  // they stay attached to the configuration, not copied
        return insert_revision(db, s, tuned_run, false);
    });
}

void Store::add_evaluation(std::int64_t schedule_id, int revision, const Measurement& measurement) {
    write_transaction(*impl_, "add an evaluation", [&] {
        RevisionKey key = revision_key(*impl_, schedule_id, revision);
        insert_evaluation(impl_->db, key.id, key.config_hash, measurement);
    });
}

std::vector<std::string> Store::stale_reasons(std::int64_t schedule_id) const {
    return read_transaction(*impl_, [&] {
        return read_stale_reasons(impl_->db, revision_key(*impl_, schedule_id, 0).id);
    });
}

}  // namespace tp::store
