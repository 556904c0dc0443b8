// The fuzz targets' bodies (fuzz_bodies.h).
#include "tests/fuzz/fuzz_bodies.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "core/accuracy/accuracy_data.h"
#include "core/agent/event_chunks.h"
#include "core/agent/protocol.h"
#include "core/agent/requests.h"
#include "core/agent/token_spec.h"
#include "core/data/fashion_mnist.h"
#include "core/data/input_pipeline.h"
#include "core/formats/model_card.h"
#include "core/jetson/board_clocks.h"
#include "core/formats/safetensors.h"
#include "core/model/csv_import.h"
#include "core/model/profile_json.h"
#include "core/model/schedule_json.h"
#include "core/model/scope.h"
#include "core/predict/latency_calibration.h"
#include "core/remote/device_list.h"
#include "core/util/gzip.h"
#include "core/util/json_lines.h"
#include "core/util/json_reader.h"

namespace tp::fuzz {

namespace {

void promise(bool holds, const char* what) {
    if (!holds) throw std::logic_error(std::string("broken promise: ") + what);
}

// Splits "first line\nrest" (no newline: an empty first line and the whole input as the rest).
std::pair<std::string, std::string> first_line(const std::string& input) {
    const size_t newline = input.find('\n');
    if (newline == std::string::npos) return {std::string(), input};
    return {input.substr(0, newline), input.substr(newline + 1)};
}

}  // namespace

// Profiles (.json; a .json.gz is gunzipped first: fuzz_gzip).
void profile(const std::string& input) {
    const Profile p = parse_profile(input, "fuzz.profile.json");
    (void)to_json(p).dump();
}

void schedule(const std::string& input) {
    const Schedule s = parse_schedule(input, "fuzz.schedule.json");
    (void)to_json(s).dump();
}

void latency_calibration(const std::string& input) {
    (void)parse_latency_calibration(input, "fuzz.calibration.json");
}

void accuracy_calibration(const std::string& input) {
    const AccuracyCalibration c = parse_accuracy_calibration(input, "fuzz.accuracy.json");
    (void)accuracy_calibration_to_text(c);
}

// Device lists, as load_device_list reads them (errors name the line).
void device_list(const std::string& input) {
    const nlohmann::json doc = parse_json_text(input, "fuzz.devices.json");
    remote::DeviceList list;
    try {
        list = remote::device_list_from_json(doc);
    } catch (const FormatError& e) {
        rethrow_with_line(e, input, "fuzz.devices.json");
    }
    for (const auto& device : list.devices) (void)device.destination();
    (void)remote::to_json(list).dump();
}

// Model cards, then the card's input pipeline on small gray and RGB images (as loading a model and
// reading a dataset do).
void model_card(const std::string& input) {
    const formats::ModelCard card = formats::parse_model_card(input, "fuzz.card.json");
    const auto& model = card.architecture;
    if (model.channels < 1 || model.channels > 4 || model.image_size < 1 || model.image_size > 512) return;
    for (int channels : {1, 3}) {
        data::RawImage image;
        image.height = 7;
        image.width = 5;
        image.channels = channels;
        image.pixels.resize(static_cast<size_t>(image.height * image.width * channels));
        for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<uint8_t>(i * 37);
        std::vector<float> out(static_cast<size_t>(model.channels) * model.image_size * model.image_size);
        data::apply_pipeline(card.input_pipeline, image, model.channels, model.image_size, out.data());
    }
}

// Safetensors: the header, and every tensor's bytes, which the reader promised are in the file.
void safetensors(const std::string& input) {
    const auto file = formats::SafetensorsFile::parse(std::vector<char>(input.begin(), input.end()), "fuzz.safetensors");
    unsigned sum = 0;
    for (const auto& [name, entry] : file.tensors()) {
        promise(entry.end >= entry.begin, "tensor end before its begin");
        if (entry.end > entry.begin)
            sum += static_cast<unsigned char>(file.data(entry)[0]) +
                   static_cast<unsigned char>(file.data(entry)[entry.end - entry.begin - 1]);
        promise(entry.numel() >= 0, "negative element count");
    }
    (void)sum;
}

// IDX datasets, decompressed (a gzipped IDX goes through fuzz_gzip first).
void idx(const std::string& input) {
    const data::IdxArray array = data::parse_idx(input, "fuzz.idx");
    size_t total = 1;
    for (int d : array.dims) total *= static_cast<size_t>(d);
    promise(total == array.data.size(), "IDX dims do not match its data");
}

// CSV curves: the first line is the scope (as typed after --scope), the rest the file.
void csv_import(const std::string& input) {
    const auto [scope_text, csv] = first_line(input);
    Scope scope;
    try {
        scope = parse_scope(scope_text);
        (void)to_string(scope);
    } catch (const FormatError&) {
        scope = Scope{};
    }
    (void)parse_curve_csv(csv, "fuzz.csv", scope);
}

// One agent request line, then the request readers on its body, as core/runtime/agent_handler does.
void agent_request(const std::string& input) {
    auto parsed = agent::parse_request(input);
    if (!std::holds_alternative<agent::Request>(parsed)) return;
    const auto& request = std::get<agent::Request>(parsed);
    (void)request.id.dump();
    if (request.cmd == "profile") {
        const auto p = agent::profile_request_from_json(request.body);
        agent::validate(p.timing);
        (void)agent::effective_mode(p.timing);
        (void)agent::cuda_index(p.timing.device);
        (void)agent::parse_token_spec(p.tokens, 1024);
        (void)agent::to_json(p).dump();
    } else if (request.cmd == "measure") {
        const auto m = agent::measure_request_from_json(request.body);
        agent::validate(m.timing);
        (void)agent::to_json(m).dump();
    } else if (request.cmd == "evaluate") {
        const auto e = agent::evaluate_request_from_json(request.body);
        (void)agent::cuda_index(e.device);
        (void)agent::to_json(e).dump();
    }
}

// The line scanner behind every "line N" of an error: the first line is the pointer, the rest the
// text. Documented for valid JSON (how the readers call it), it must not crash on any text.
void json_pointer(const std::string& input) {
    const auto [pointer, text] = first_line(input);
    const int line = json_pointer_line(text, pointer);
    promise(line >= 0, "negative line");
}

// Token lists ("all,1..197:2"): the first two bytes pick max_tokens (1 + 16 * value).
void token_spec(const std::string& input) {
    if (input.size() < 2) return;
    const int max_tokens = 1 + ((static_cast<unsigned char>(input[0]) << 8) | static_cast<unsigned char>(input[1])) * 16;
    const auto tokens = agent::parse_token_spec(input.substr(2), max_tokens);
    for (size_t i = 0; i < tokens.size(); ++i)
        promise(tokens[i] >= 1 && tokens[i] <= max_tokens && (i == 0 || tokens[i] > tokens[i - 1]),
                "token list out of range or not sorted and unique");
}

// Chunk events from an agent (protocol 3), one per line; lines that are not JSON objects are
// skipped as the client skips them. The assembler documents std::runtime_error for a broken agent.
void event_chunks(const std::string& input) {
    agent::ChunkAssembler assembler;
    size_t start = 0;
    while (start <= input.size()) {
        size_t end = input.find('\n', start);
        if (end == std::string::npos) end = input.size();
        const nlohmann::json event = nlohmann::json::parse(input.substr(start, end - start), nullptr, false);
        start = end + 1;
        if (event.is_discarded() || !event.is_object()) continue;
        try {
            if (auto joined = assembler.feed(event)) {
                const nlohmann::json whole = nlohmann::json::parse(*joined, nullptr, false);  // as the client reads it
                (void)whole.is_discarded();
            }
        } catch (const FormatError&) {
            throw;
        } catch (const std::runtime_error& e) {
            throw FormatError("fuzz chunks", e.what());  // documented: the agent is broken
        }
    }
}

// gzip (.json.gz, gzipped IDX), bounded to 1 MiB here; the round trip must give the bytes back.
void gzip_data(const std::string& input) {
    (void)has_gzip_magic(input);
    const std::string plain = gunzip(input, 1u << 20, "fuzz.gz");
    promise(gunzip(gzip(plain, 1), 1u << 20, "round trip") == plain, "gzip round trip changed the bytes");
}

// The bodies by target name (the folder names under tests/fuzz/corpus and tests/fuzz/regressions).
// What a Jetson's tools print (issue 22), read by the agent: `nvpmodel -q` and
// `jetson_clocks --show`, the same bytes to both parsers. Promises: a mode name is short and
// non-empty or a problem is said; an id is 0..999; frequencies are finite and not negative.
void board_tools(const std::string& input) {
    const jetson::PowerMode m = jetson::parse_nvpmodel_query(input);
    promise(m.name.empty() != m.problem.empty(), "a power mode or a problem, not both or neither");
    promise(m.name.size() <= 64, "power mode name too long");
    promise(!m.id || (*m.id >= 0 && *m.id < 1000), "power mode id out of range");
    const jetson::ClocksShow s = jetson::parse_jetson_clocks_show(input);
    for (const auto& v : {s.gpu_min_mhz, s.gpu_max_mhz, s.gpu_cur_mhz})
        promise(!v || (std::isfinite(*v) && *v >= 0), "a frequency that is negative or not finite");
    promise(s.power_mode.size() <= 64, "power mode from --show too long");
    promise(s.locked().has_value() == (s.gpu_min_mhz && s.gpu_max_mhz), "lock state without both limits");
}

const std::map<std::string, std::function<void(const std::string&)>>& bodies() {
    static const std::map<std::string, std::function<void(const std::string&)>> all = {
        {"fuzz_profile", profile},
        {"fuzz_schedule", schedule},
        {"fuzz_latency_calibration", latency_calibration},
        {"fuzz_accuracy_calibration", accuracy_calibration},
        {"fuzz_device_list", device_list},
        {"fuzz_model_card", model_card},
        {"fuzz_safetensors", safetensors},
        {"fuzz_idx", idx},
        {"fuzz_csv_import", csv_import},
        {"fuzz_agent_request", agent_request},
        {"fuzz_json_pointer", json_pointer},
        {"fuzz_token_spec", token_spec},
        {"fuzz_event_chunks", event_chunks},
        {"fuzz_gzip", gzip_data},
        {"fuzz_board_tools", board_tools},
#ifdef TAILPRUNE_FUZZ_STORE
        {"fuzz_store_rows", store_rows},
#endif
    };
    return all;
}

}  // namespace tp::fuzz

