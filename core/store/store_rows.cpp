// Helpers shared by the store's source files: time stamps, device and model rows.
#include <algorithm>
#include <ctime>

#include "core/model/profile_json.h"
#include "core/store/store_impl.h"
#include "core/util/input_limits.h"
#include "core/util/json_depth.h"
#include "core/util/utc_time.h"

namespace tp::store {

std::string now_iso8601() { return iso8601_utc_now(); }

std::string text_or_empty(const SQLite::Column& column) { return column.isNull() ? std::string() : column.getString(); }

int stored_int(const SQLite::Column& column, long long lowest, long long highest) {
    const std::string name = column.getName();
    if (column.isNull()) throw StoreError(StoreError::Kind::Corrupt, "column '" + name + "' holds NULL, not an integer");
    if (!column.isInteger())
        throw StoreError(StoreError::Kind::Corrupt, "column '" + name + "' holds '" + column.getString() + "', not an integer");
    const long long value = column.getInt64();
    if (value < lowest || value > highest)
        throw StoreError(StoreError::Kind::Corrupt, "column '" + name + "' holds " + std::to_string(value) +
                                                        ", outside " + std::to_string(lowest) + ".." + std::to_string(highest));
    return static_cast<int>(value);
}

nlohmann::json parse_stored_json(const std::string& text, const std::string& what) {
    if (json_nesting_depth(text, limits::kJsonDepth) > limits::kJsonDepth)
        throw StoreError(StoreError::Kind::Corrupt, what + " nests deeper than " + std::to_string(limits::kJsonDepth) + " levels");
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw StoreError(StoreError::Kind::Corrupt, what + " holds invalid JSON (" + e.what() + ")");
    }
}

std::vector<int> stored_int_list(const std::string& text, const std::string& what, long long lowest, long long highest) {
    const nlohmann::json list = parse_stored_json(text, what);
    if (!list.is_array())
        throw StoreError(StoreError::Kind::Corrupt,
                         what + " has the wrong shape: " + text.substr(0, 80) + " is not a list of integers");
    std::vector<int> values;
    values.reserve(list.size());
    for (const auto& v : list) {
        // Range-checked before the cast: a stored 1e300 or 4294967297 is an error, never UB or a wrapped value.
        const bool in_range = v.is_number_unsigned()  ? v.get<unsigned long long>() <= static_cast<unsigned long long>(
                                                                                         std::max(highest, 0LL)) &&
                                                               static_cast<long long>(v.get<unsigned long long>()) >= lowest
                              : v.is_number_integer() ? v.get<long long>() >= lowest && v.get<long long>() <= highest
                                                      : false;
        if (!in_range)
            throw StoreError(StoreError::Kind::Corrupt, what + " holds " + v.dump().substr(0, 40) + ", not an integer in " +
                                                            std::to_string(lowest) + ".." + std::to_string(highest));
        values.push_back(static_cast<int>(v.get<long long>()));
    }
    return values;
}

std::int64_t device_id_for(SQLite::Database& db, const DeviceInfo& device) {
    SQLite::Statement insert(db, "INSERT OR IGNORE INTO devices (identity, name, kind, host) VALUES (?, ?, ?, ?)");
    insert.bind(1, device.identity());
    insert.bind(2, device.name);
    insert.bind(3, device.kind);
    insert.bind(4, device.host);
    insert.exec();
    SQLite::Statement find(db, "SELECT id FROM devices WHERE identity = ?");
    find.bind(1, device.identity());
    find.executeStep();
    return find.getColumn(0).getInt64();
}

std::int64_t model_id_for(SQLite::Database& db, const ModelInfo& m) {
    static const char* kColumns =
        "name, architecture, depth, embed_dim, heads, mlp_ratio_x100, patch, image_size, channels, num_classes, "
        "tokens, weights_hash";
    auto bind_all = [&](SQLite::Statement& s) {
        s.bind(1, m.name);
        s.bind(2, m.architecture);
        s.bind(3, m.depth);
        s.bind(4, m.embed_dim);
        s.bind(5, m.heads);
        s.bind(6, m.mlp_ratio_x100);
        s.bind(7, m.patch);
        s.bind(8, m.image_size);
        s.bind(9, m.channels);
        s.bind(10, m.num_classes);
        s.bind(11, m.tokens);
        s.bind(12, m.weights_hash);
    };
    SQLite::Statement insert(db, std::string("INSERT OR IGNORE INTO models (") + kColumns +
                                     ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    bind_all(insert);
    insert.exec();
    SQLite::Statement find(db, "SELECT id FROM models WHERE name = ? AND architecture = ? AND depth = ? AND "
                               "embed_dim = ? AND heads = ? AND mlp_ratio_x100 = ? AND patch = ? AND image_size = ? "
                               "AND channels = ? AND num_classes = ? AND tokens = ? AND weights_hash = ?");
    bind_all(find);
    find.executeStep();
    return find.getColumn(0).getInt64();
}

namespace {
const char* kModelQuery =
    "SELECT name, architecture, depth, embed_dim, heads, mlp_ratio_x100, patch, image_size, "
    "channels, num_classes, tokens, weights_hash FROM models WHERE id = ?";

ModelInfo read_model(SQLite::Statement& q, std::int64_t model_id) {
    q.bind(1, model_id);
    if (!q.executeStep())
        throw StoreError(StoreError::Kind::Corrupt, "model " + std::to_string(model_id) + " is missing");
    ModelInfo m;
    m.name = q.getColumn(0).getString();
    m.architecture = q.getColumn(1).getString();
    m.depth = stored_int(q.getColumn(2));
    m.embed_dim = stored_int(q.getColumn(3));
    m.heads = stored_int(q.getColumn(4));
    m.mlp_ratio_x100 = stored_int(q.getColumn(5));
    m.patch = stored_int(q.getColumn(6));
    m.image_size = stored_int(q.getColumn(7));
    m.channels = stored_int(q.getColumn(8));
    m.num_classes = stored_int(q.getColumn(9));
    m.tokens = stored_int(q.getColumn(10));
    m.weights_hash = q.getColumn(11).getString();
    q.reset();
    // The one reader of a model's fields checks every bound (depth, width, tokens, ...).
    return model_from_json(to_json(m), "/models/" + std::to_string(model_id));
}
}  // namespace

ModelInfo load_model(SQLite::Database& db, std::int64_t model_id) {
    SQLite::Statement q(db, kModelQuery);
    return read_model(q, model_id);
}

ModelInfo load_model(Store::Impl& impl, std::int64_t model_id) { return read_model(impl.cached(kModelQuery), model_id); }

}  // namespace tp::store
