// Accuracy calibrations: measured accuracy of token schedules, the accuracy model's input.
#include "core/store/store_impl.h"
#include "core/util/input_limits.h"

namespace tp::store {

std::int64_t Store::add_calibration(const Calibration& c) {
    if (c.metric != "top1" && c.metric != "top5")
        throw StoreError(StoreError::Kind::Invalid, "calibration metric must be top1 or top5 (is '" + c.metric + "')");
    if (c.tokens_after_block.size() != static_cast<std::size_t>(c.model.depth))
        throw StoreError(StoreError::Kind::Invalid, "calibration needs one token count per block of " + c.model.name);
    return write_transaction(*impl_, "add a calibration", [&] {
        SQLite::Database& db = impl_->db;
        SQLite::Statement q(db, "INSERT INTO calibrations (model_id, dataset, subset, method, tokens_after_block, "
                                "metric, value, images, date, who) VALUES (?,?,?,?,?,?,?,?,?,?)");
        q.bind(1, model_id_for(db, c.model));
        q.bind(2, c.dataset);
        q.bind(3, c.subset);
        q.bind(4, c.method);
        q.bind(5, nlohmann::json(c.tokens_after_block).dump());
        q.bind(6, c.metric);
        q.bind(7, c.value);
        q.bind(8, c.images);
        q.bind(9, c.date.empty() ? now_iso8601() : c.date);
        q.bind(10, c.who);
        q.exec();
        return db.getLastInsertRowid();
    });
}

std::vector<Calibration> Store::list_calibrations(const std::string& model_name) const {
    return read_transaction(*impl_, [&] {
        SQLite::Database& db = impl_->db;
        std::vector<Calibration> rows;
        std::vector<std::int64_t> model_ids;
        SQLite::Statement q(db, R"(SELECT c.id, c.model_id, c.dataset, c.subset, c.method, c.tokens_after_block,
            c.metric, c.value, c.images, c.date, c.who FROM calibrations c JOIN models m ON m.id = c.model_id
            WHERE ?1 = '' OR m.name = ?1 ORDER BY c.id)");
        q.bind(1, model_name);
        while (q.executeStep()) {
            Calibration c;
            int i = 0;
            c.id = q.getColumn(i++).getInt64();
            model_ids.push_back(q.getColumn(i++).getInt64());
            c.dataset = q.getColumn(i++).getString();
            c.subset = q.getColumn(i++).getString();
            c.method = q.getColumn(i++).getString();
            c.tokens_after_block = stored_int_list(q.getColumn(i++).getString(), "calibration tokens", 0, limits::kTokens);
            c.metric = q.getColumn(i++).getString();
            if (c.metric != "top1" && c.metric != "top5")
                throw StoreError(StoreError::Kind::Corrupt, "calibration " + std::to_string(c.id) + " has metric '" +
                                                                c.metric + "' (top1 or top5)");
            c.value = q.getColumn(i++).getDouble();
            c.images = stored_int(q.getColumn(i++));
            c.date = q.getColumn(i++).getString();
            c.who = q.getColumn(i++).getString();
            rows.push_back(std::move(c));
        }
        q.reset();
        for (std::size_t k = 0; k < rows.size(); ++k) {
            rows[k].model = load_model(db, model_ids[k]);
            if (rows[k].tokens_after_block.size() != static_cast<std::size_t>(rows[k].model.depth))
                throw StoreError(StoreError::Kind::Corrupt, "calibration " + std::to_string(rows[k].id) + " has " +
                                                                std::to_string(rows[k].tokens_after_block.size()) +
                                                                " token counts for a model of " +
                                                                std::to_string(rows[k].model.depth) + " blocks");
        }
        return rows;
    });
}

}  // namespace tp::store
