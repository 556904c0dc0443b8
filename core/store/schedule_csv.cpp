#include "core/store/schedule_csv.h"

#include <sstream>

#include "core/util/csv_cell.h"

namespace tp::store {
namespace {

std::string cell(const std::string& text) { return csv_text_cell(text); }
std::string number(double v) { return csv_number_cell(v); }

}  // namespace

std::string schedule_to_csv(const Schedule& s) {
    std::ostringstream out;
    out << "schedule,revision,status,model,weights_hash,image_size,device,batch,dtype,method,"
           "predicted_ms,predicted_low_ms,predicted_high_ms,block,tokens_in,tokens_out\n";
    std::string device = s.device.name.empty() ? "" : s.device.identity();
    std::string predicted = s.predicted_latency ? number(s.predicted_latency->latency_ms) + "," +
                                                      number(s.predicted_latency->low_ms) + "," +
                                                      number(s.predicted_latency->high_ms)
                                                : ",,";
    for (int b = 0; b < s.depth(); ++b)
        out << cell(s.name) << "," << s.revision << "," << cell(s.status) << "," << cell(s.model.name) << ","
            << cell(s.model.weights_hash) << "," << s.model.image_size << "," << cell(device) << "," << s.model.batch
            << "," << cell(s.model.dtype) << "," << cell(s.method) << "," << predicted << "," << b << ","
            << s.tokens_into(b) << "," << s.tokens_after_block[b] << "\n";
    return out.str();
}

}  // namespace tp::store
