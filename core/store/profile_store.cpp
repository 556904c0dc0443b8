// Profiles in the store: import (deduplicated by content hash), exact reload, listings.
#include <cstring>

#include "core/util/input_limits.h"
#include "core/model/profile_json.h"
#include "core/util/sha256.h"
#include "core/store/store_impl.h"

namespace tp::store {
namespace {

using nlohmann::json;

std::string string_map_text(const std::map<std::string, std::string>& m) {
    json j = json::object();
    for (const auto& [k, v] : m) j[k] = v;
    return j.dump();
}

std::map<std::string, std::string> string_map_from(const std::string& text, const std::string& what) {
    std::map<std::string, std::string> m;
    json j = parse_stored_json(text, what);
    for (auto it = j.begin(); it != j.end(); ++it) m[it.key()] = it->get<std::string>();
    return m;
}

// A run's clock flags as stored: a JSON array of {kind, message}, or NULL for none (a run stored
// before schema 4 has NULL too; either way the profile reader judges the flags from the points).
std::optional<std::string> clock_flags_text(const std::vector<ClockFlag>& flags) {
    if (flags.empty()) return std::nullopt;
    json j = json::array();
    for (const auto& f : flags) j.push_back({{"kind", f.kind}, {"message", f.message}});
    return j.dump();
}

std::vector<ClockFlag> clock_flags_from(const std::string& text, const std::string& what) {
    json j = parse_stored_json(text, what);
    if (!j.is_array()) throw StoreError(StoreError::Kind::Corrupt, what + " is not a list");
    std::vector<ClockFlag> flags;
    for (const auto& f : j) {
        if (!f.is_object() || !f.contains("kind") || !f.contains("message") || !f["kind"].is_string() ||
            !f["message"].is_string())
            throw StoreError(StoreError::Kind::Corrupt, what + " holds an entry that is not {kind, message}");
        flags.push_back({f["kind"].get<std::string>(), f["message"].get<std::string>()});
    }
    return flags;
}

void bind_optional(SQLite::Statement& s, int index, const std::optional<std::string>& v) {
    if (v) s.bind(index, *v); else s.bind(index);
}

void bind_optional(SQLite::Statement& s, int index, const std::optional<double>& v) {
    if (v) s.bind(index, *v); else s.bind(index);
}
std::optional<double> optional_column(const SQLite::Column& c) {
    return c.isNull() ? std::nullopt : std::optional<double>(c.getDouble());
}

std::int64_t insert_run(SQLite::Database& db, const Profile& p, const std::string& hash) {
    SQLite::Statement s(db, R"(INSERT INTO runs (content_hash, format_version, label, notes, device_id, model_id,
        batch, dtype, sm_count, memory_gb, sm_clock_mhz, mem_clock_mhz, l2_bytes, driver_version, runtime_version,
        torch_version, blas, tf32, attention_backend, device_extra, mode, l2, warmup, rounds, stop_min_samples,
        stop_min_time_s, stop_target_rel_noise, stop_timeout_s, torch_threads, blas_threads, date, tool_version,
        who, environment, imported_at, clock_flags)
        VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?))");
    const DeviceInfo& d = p.device;
    const MeasurementSettings& m = p.settings;
    int i = 0;
    s.bind(++i, hash);
    s.bind(++i, p.format_version);
    s.bind(++i, p.id);
    s.bind(++i, p.notes);
    s.bind(++i, device_id_for(db, d));
    s.bind(++i, model_id_for(db, p.model));
    s.bind(++i, p.model.batch);
    s.bind(++i, p.model.dtype);
    s.bind(++i, d.sm_count);
    s.bind(++i, d.memory_gb);
    s.bind(++i, d.sm_clock_mhz);
    s.bind(++i, d.mem_clock_mhz);
    s.bind(++i, static_cast<int64_t>(d.l2_bytes));
    s.bind(++i, d.driver_version);
    s.bind(++i, d.runtime_version);
    s.bind(++i, d.torch_version);
    s.bind(++i, d.blas);
    s.bind(++i, d.tf32 ? 1 : 0);
    s.bind(++i, d.attention_backend);
    s.bind(++i, string_map_text(d.extra));
    s.bind(++i, m.mode);
    s.bind(++i, m.l2);
    s.bind(++i, m.warmup);
    s.bind(++i, m.rounds);
    s.bind(++i, m.stopping.min_samples);
    s.bind(++i, m.stopping.min_time_s);
    s.bind(++i, m.stopping.target_rel_noise);
    s.bind(++i, m.stopping.timeout_s);
    s.bind(++i, m.torch_threads);
    s.bind(++i, m.blas_threads);
    s.bind(++i, m.date);
    s.bind(++i, m.tool_version);
    s.bind(++i, m.who);
    s.bind(++i, string_map_text(m.environment));
    s.bind(++i, now_iso8601());
    bind_optional(s, ++i, clock_flags_text(p.clock_flags));
    s.exec();
    return db.getLastInsertRowid();
}

void insert_curves(SQLite::Database& db, std::int64_t run_id, const std::vector<Curve>& curves) {
    SQLite::Statement curve_row(db, "INSERT INTO curves (run_id, position, name, partial, scope_kind, scope_block, "
                                    "scope_method, scope_tokens_in, scope_part) VALUES (?,?,?,?,?,?,?,?,?)");
    SQLite::Statement point_row(db, R"(INSERT INTO points (curve_id, tokens, samples, median_ms, mean_ms, p10_ms,
        p90_ms, min_ms, rel_noise, stop_reason, raw_ms, discarded, sm_clock_mhz, temperature_c, power_w, cpu_mhz,
        gpu_mhz, gpu_min_mhz, gpu_max_mhz, gpu_load, hottest_c, over_trip)
        VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?))");
    for (std::size_t c = 0; c < curves.size(); ++c) {
        const Curve& curve = curves[c];
        curve_row.bind(1, run_id);
        curve_row.bind(2, static_cast<int>(c));
        curve_row.bind(3, curve.name);
        curve_row.bind(4, curve.partial ? 1 : 0);
        curve_row.bind(5, to_string(curve.scope.kind));
        curve_row.bind(6, curve.scope.block);
        curve_row.bind(7, curve.scope.method);
        curve_row.bind(8, curve.scope.tokens_in);
        curve_row.bind(9, curve.scope.part);
        curve_row.exec();
        curve_row.reset();
        std::int64_t curve_id = db.getLastInsertRowid();
        for (const CurvePoint& p : curve.points) {
            int i = 0;
            point_row.bind(++i, curve_id);
            point_row.bind(++i, p.tokens);
            point_row.bind(++i, p.samples);
            point_row.bind(++i, p.median_ms);
            point_row.bind(++i, p.mean_ms);
            point_row.bind(++i, p.p10_ms);
            point_row.bind(++i, p.p90_ms);
            point_row.bind(++i, p.min_ms);
            point_row.bind(++i, p.rel_noise);
            point_row.bind(++i, p.stop_reason);
            // Raw samples as native doubles (every supported target is little-endian IEEE 754).
            if (p.raw_ms.empty()) point_row.bind(++i);
            else point_row.bind(++i, p.raw_ms.data(), static_cast<int>(p.raw_ms.size() * sizeof(double)));
            point_row.bind(++i, p.discarded);
            bind_optional(point_row, ++i, p.sm_clock_mhz);
            bind_optional(point_row, ++i, p.temperature_c);
            bind_optional(point_row, ++i, p.power_w);
            bind_optional(point_row, ++i, p.cpu_mhz);
            bind_optional(point_row, ++i, p.gpu_mhz);
            bind_optional(point_row, ++i, p.gpu_min_mhz);
            bind_optional(point_row, ++i, p.gpu_max_mhz);
            bind_optional(point_row, ++i, p.gpu_load);
            bind_optional(point_row, ++i, p.hottest_c);
            point_row.bind(++i, p.over_trip);
            point_row.exec();
            point_row.reset();
        }
    }
}

void insert_census(SQLite::Database& db, std::int64_t run_id, const std::vector<KernelCensus>& census) {
    SQLite::Statement row(db, "INSERT INTO census (run_id, position, kernel_position, curve, tokens, name, grid, block, "
                              "duration_us) VALUES (?,?,?,?,?,?,?,?,?)");
    for (std::size_t c = 0; c < census.size(); ++c) {
        const KernelCensus& k = census[c];
        // kernel_position -1 records the census entry itself, so one without kernels survives.
        for (int kp = -1; kp < static_cast<int>(k.kernels.size()); ++kp) {
            row.bind(1, run_id);
            row.bind(2, static_cast<int>(c));
            row.bind(3, kp);
            row.bind(4, k.curve);
            row.bind(5, k.tokens);
            if (kp < 0) {
                for (int i = 6; i <= 9; ++i) row.bind(i);
            } else {
                const KernelLaunch& l = k.kernels[kp];
                row.bind(6, l.name);
                row.bind(7, static_cast<int64_t>(l.grid));
                row.bind(8, static_cast<int64_t>(l.block));
                row.bind(9, l.duration_us);
            }
            row.exec();
            row.reset();
        }
    }
}

std::vector<Curve> read_curves(SQLite::Database& db, std::int64_t run_id) {
    std::vector<Curve> curves;
    std::vector<std::int64_t> ids;
    SQLite::Statement q(db, "SELECT id, name, partial, scope_kind, scope_block, scope_method, scope_tokens_in, "
                            "scope_part FROM curves WHERE run_id = ? ORDER BY position");
    q.bind(1, run_id);
    while (q.executeStep()) {
        Curve c;
        ids.push_back(q.getColumn(0).getInt64());
        c.name = q.getColumn(1).getString();
        c.partial = stored_int(q.getColumn(2)) != 0;
        auto kind = scope_kind_from_string(q.getColumn(3).getString());
        if (!kind) throw StoreError(StoreError::Kind::Corrupt, "curve '" + c.name + "' has an unknown scope kind");
        c.scope.kind = *kind;
        c.scope.block = stored_int(q.getColumn(4));
        c.scope.method = q.getColumn(5).getString();
        c.scope.tokens_in = stored_int(q.getColumn(6));
        c.scope.part = q.getColumn(7).getString();
        curves.push_back(std::move(c));
    }
    SQLite::Statement points(db, R"(SELECT tokens, samples, median_ms, mean_ms, p10_ms, p90_ms, min_ms, rel_noise,
        stop_reason, raw_ms, discarded, sm_clock_mhz, temperature_c, power_w, cpu_mhz,
        gpu_mhz, gpu_min_mhz, gpu_max_mhz, gpu_load, hottest_c, over_trip
        FROM points WHERE curve_id = ? ORDER BY tokens)");
    for (std::size_t c = 0; c < curves.size(); ++c) {
        points.bind(1, ids[c]);
        while (points.executeStep()) {
            CurvePoint p;
            p.tokens = stored_int(points.getColumn(0), 1, limits::kTokens);
            p.samples = stored_int(points.getColumn(1), 0);
            p.median_ms = points.getColumn(2).getDouble();
            p.mean_ms = points.getColumn(3).getDouble();
            p.p10_ms = points.getColumn(4).getDouble();
            p.p90_ms = points.getColumn(5).getDouble();
            p.min_ms = points.getColumn(6).getDouble();
            p.rel_noise = points.getColumn(7).getDouble();
            p.stop_reason = points.getColumn(8).getString();
            SQLite::Column raw = points.getColumn(9);
            if (!raw.isNull()) {
                // Whole doubles only (a cut-off blob is damage, not fewer samples); an empty blob has no
                // data pointer to copy from.
                const auto bytes = static_cast<std::size_t>(raw.getBytes());
                if (bytes % sizeof(double) != 0)
                    throw StoreError(StoreError::Kind::Corrupt, "column 'raw_ms' holds " + std::to_string(bytes) +
                                                                    " bytes, not whole doubles");
                p.raw_ms.resize(bytes / sizeof(double));
                if (bytes > 0) std::memcpy(p.raw_ms.data(), raw.getBlob(), bytes);
            }
            p.discarded = stored_int(points.getColumn(10));
            p.sm_clock_mhz = optional_column(points.getColumn(11));
            p.temperature_c = optional_column(points.getColumn(12));
            p.power_w = optional_column(points.getColumn(13));
            p.cpu_mhz = optional_column(points.getColumn(14));
            p.gpu_mhz = optional_column(points.getColumn(15));
            p.gpu_min_mhz = optional_column(points.getColumn(16));
            p.gpu_max_mhz = optional_column(points.getColumn(17));
            p.gpu_load = optional_column(points.getColumn(18));
            p.hottest_c = optional_column(points.getColumn(19));
            p.over_trip = points.getColumn(20).getString();
            curves[c].points.push_back(std::move(p));
        }
        points.reset();
    }
    return curves;
}

std::vector<KernelCensus> read_census(SQLite::Database& db, std::int64_t run_id) {
    std::vector<KernelCensus> census;
    SQLite::Statement q(db, "SELECT kernel_position, curve, tokens, name, grid, block, duration_us FROM census "
                            "WHERE run_id = ? ORDER BY position, kernel_position");
    q.bind(1, run_id);
    while (q.executeStep()) {
        if (stored_int(q.getColumn(0)) < 0) {
            census.push_back({q.getColumn(1).getString(), stored_int(q.getColumn(2)), {}});
        } else if (!census.empty()) {
            census.back().kernels.push_back({q.getColumn(3).getString(), q.getColumn(4).getInt64(),
                                             q.getColumn(5).getInt64(), q.getColumn(6).getDouble()});
        }
    }
    return census;
}

}  // namespace

std::string profile_hash(const Profile& profile) { return sha256_hex(to_json(profile).dump()); }

Profile read_profile(SQLite::Database& db, std::int64_t run_id) {
    SQLite::Statement q(db, R"(SELECT r.format_version, r.label, r.notes, r.batch, r.dtype, r.sm_count, r.memory_gb,
        r.sm_clock_mhz, r.mem_clock_mhz, r.l2_bytes, r.driver_version, r.runtime_version, r.torch_version, r.blas,
        r.tf32, r.attention_backend, r.device_extra, r.mode, r.l2, r.warmup, r.rounds, r.stop_min_samples,
        r.stop_min_time_s, r.stop_target_rel_noise, r.stop_timeout_s, r.torch_threads, r.blas_threads, r.date,
        r.tool_version, r.who, r.environment, d.name, d.kind, d.host, r.model_id, r.clock_flags
        FROM runs r JOIN devices d ON d.id = r.device_id WHERE r.id = ?)");
    q.bind(1, run_id);
    if (!q.executeStep())
        throw StoreError(StoreError::Kind::NotFound, "no run " + std::to_string(run_id) + " in the store");
    std::string what = "run " + std::to_string(run_id);
    Profile p;
    int i = 0;
    auto col = [&]() { return q.getColumn(i++); };
    p.format_version = stored_int(col());
    p.id = col().getString();
    p.notes = col().getString();
    p.model.batch = stored_int(col());
    p.model.dtype = col().getString();
    DeviceInfo& d = p.device;
    d.sm_count = stored_int(col());
    d.memory_gb = col().getDouble();
    d.sm_clock_mhz = col().getDouble();
    d.mem_clock_mhz = col().getDouble();
    d.l2_bytes = col().getInt64();
    d.driver_version = col().getString();
    d.runtime_version = col().getString();
    d.torch_version = col().getString();
    d.blas = col().getString();
    d.tf32 = stored_int(col()) != 0;
    d.attention_backend = col().getString();
    d.extra = string_map_from(col().getString(), what + " device extra");
    MeasurementSettings& m = p.settings;
    m.mode = col().getString();
    m.l2 = col().getString();
    m.warmup = stored_int(col());
    m.rounds = stored_int(col());
    m.stopping.min_samples = stored_int(col());
    m.stopping.min_time_s = col().getDouble();
    m.stopping.target_rel_noise = col().getDouble();
    m.stopping.timeout_s = col().getDouble();
    m.torch_threads = stored_int(col());
    m.blas_threads = stored_int(col());
    m.date = col().getString();
    m.tool_version = col().getString();
    m.who = col().getString();
    m.environment = string_map_from(col().getString(), what + " environment");
    d.name = col().getString();
    d.kind = col().getString();
    d.host = col().getString();
    std::int64_t model_id = col().getInt64();
    const SQLite::Column flags = col();
    if (!flags.isNull()) p.clock_flags = clock_flags_from(flags.getString(), what + " clock flags");
    q.reset();

    ModelInfo model = load_model(db, model_id);
    model.batch = p.model.batch;
    model.dtype = p.model.dtype;
    p.model = model;
    p.curves = read_curves(db, run_id);
    p.census = read_census(db, run_id);
    // The one reader of profiles checks it: every rule a profile file is held to (scopes within the
    // model, settings, points, text that is UTF-8, ...) holds for the store's rows too, or the store is
    // damaged. What load_profile returns can always be written as a profile file.
    std::string text;
    try {
        text = to_json(p).dump();
    } catch (const nlohmann::json::exception& e) {
        throw StoreError(StoreError::Kind::Corrupt, what + " holds text that is not UTF-8 (" + e.what() + ")");
    }
    try {
        return parse_profile(text, what);
    } catch (const FormatError& e) {
        throw StoreError(StoreError::Kind::Corrupt, what + " is not a valid profile: " + e.what());
    }
}

ImportResult Store::import_profile(const Profile& profile) {
    validate(profile);
    std::string hash = profile_hash(profile);
    return write_transaction(*impl_, "import a profile", [&] {
        SQLite::Database& db = impl_->db;
        ImportResult result;
        result.content_hash = hash;
        SQLite::Statement existing(db, "SELECT id FROM runs WHERE content_hash = ?");
        existing.bind(1, hash);
        if (existing.executeStep()) {
            result.run_id = existing.getColumn(0).getInt64();
            return result;
        }
        result.run_id = insert_run(db, profile, hash);
        insert_curves(db, result.run_id, profile.curves);
        insert_census(db, result.run_id, profile.census);
        result.added = true;
        result.schedules_flagged_stale = flag_stale_schedules(*impl_, result.run_id, profile);
        return result;
    });
}

Profile Store::load_profile(std::int64_t run_id) const {
    return read_transaction(*impl_, [&] { return read_profile(impl_->db, run_id); });
}

std::vector<DeviceRow> Store::list_devices() const {
    return guarded(impl_->path, [&] {
        std::vector<DeviceRow> rows;
        SQLite::Statement q(impl_->db, "SELECT d.id, d.identity, d.name, d.kind, d.host, "
                                       "(SELECT count(*) FROM runs r WHERE r.device_id = d.id) "
                                       "FROM devices d ORDER BY d.name, d.host");
        while (q.executeStep())
            rows.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                            q.getColumn(3).getString(), q.getColumn(4).getString(), stored_int(q.getColumn(5))});
        return rows;
    });
}

std::vector<ModelRow> Store::list_models() const {
    return guarded(impl_->path, [&] {
        std::vector<ModelRow> rows;
        SQLite::Statement q(impl_->db, "SELECT m.id, m.name, m.architecture, m.weights_hash, m.depth, m.embed_dim, "
                                       "m.heads, m.tokens, m.image_size, "
                                       "(SELECT count(*) FROM runs r WHERE r.model_id = m.id) "
                                       "FROM models m ORDER BY m.name, m.id");
        while (q.executeStep()) {
            ModelRow r;
            r.id = q.getColumn(0).getInt64();
            r.name = q.getColumn(1).getString();
            r.architecture = q.getColumn(2).getString();
            r.weights_hash = q.getColumn(3).getString();
            r.depth = stored_int(q.getColumn(4));
            r.embed_dim = stored_int(q.getColumn(5));
            r.heads = stored_int(q.getColumn(6));
            r.tokens = stored_int(q.getColumn(7));
            r.image_size = stored_int(q.getColumn(8));
            r.runs = stored_int(q.getColumn(9));
            rows.push_back(std::move(r));
        }
        return rows;
    });
}

std::vector<RunRow> Store::list_runs(const RunFilter& filter) const {
    return guarded(impl_->path, [&] {
        std::vector<RunRow> rows;
        SQLite::Statement q(impl_->db, R"(SELECT r.id, r.label, d.identity, m.name, r.dtype, r.mode, r.date, r.who,
            r.torch_version, r.content_hash, r.imported_at, r.batch,
            (SELECT count(*) FROM curves c WHERE c.run_id = r.id)
            FROM runs r JOIN devices d ON d.id = r.device_id JOIN models m ON m.id = r.model_id
            WHERE (?1 IS NULL OR r.device_id = ?1) AND (?2 IS NULL OR r.model_id = ?2)
            ORDER BY r.id)");
        if (filter.device_id) q.bind(1, *filter.device_id); else q.bind(1);
        if (filter.model_id) q.bind(2, *filter.model_id); else q.bind(2);
        while (q.executeStep()) {
            RunRow r;
            int i = 0;
            r.id = q.getColumn(i++).getInt64();
            r.label = q.getColumn(i++).getString();
            r.device = q.getColumn(i++).getString();
            r.model = q.getColumn(i++).getString();
            r.dtype = q.getColumn(i++).getString();
            r.mode = q.getColumn(i++).getString();
            r.date = q.getColumn(i++).getString();
            r.who = q.getColumn(i++).getString();
            r.torch_version = q.getColumn(i++).getString();
            r.content_hash = q.getColumn(i++).getString();
            r.imported_at = q.getColumn(i++).getString();
            r.batch = stored_int(q.getColumn(i++));
            r.curves = stored_int(q.getColumn(i++));
            rows.push_back(std::move(r));
        }
        return rows;
    });
}

}  // namespace tp::store
