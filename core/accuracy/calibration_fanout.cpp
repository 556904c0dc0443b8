#include "core/accuracy/calibration_fanout.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <variant>

namespace tp {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Shared between the slots' threads and the calling thread.
struct Board {
    std::mutex m;
    std::condition_variable cv;
    std::deque<std::size_t> queue;                 // indices into todo not handed out
    std::size_t in_flight = 0;
    std::deque<std::variant<FanoutArrival, FanoutNotice>> mail;  // for the calling thread, in order
    std::exception_ptr failure;                    // ends the run
    std::atomic<bool> stop{false};                 // failure or cancel: take nothing more
    std::size_t live_slots = 0;
    std::size_t handed_out_again = 0;

    std::optional<std::size_t> take() {
        std::lock_guard<std::mutex> lock(m);
        if (stop.load() || queue.empty()) return std::nullopt;
        const std::size_t i = queue.front();
        queue.pop_front();
        ++in_flight;
        return i;
    }
    void give_back(std::size_t i) {
        std::lock_guard<std::mutex> lock(m);
        queue.push_front(i);  // next in line: it was already due
        --in_flight;
        ++handed_out_again;
        cv.notify_all();
    }
    void post(std::variant<FanoutArrival, FanoutNotice> item, bool finished_one) {
        std::lock_guard<std::mutex> lock(m);
        if (finished_one) --in_flight;
        mail.push_back(std::move(item));
        cv.notify_all();
    }
    void fail(std::exception_ptr e) {
        std::lock_guard<std::mutex> lock(m);
        if (!failure) failure = e;
        stop.store(true);
        cv.notify_all();
    }
    // More work may still come to an idle slot: something is queued, or running elsewhere (and may
    // be handed back if its agent dies).
    bool work_may_come() {
        std::lock_guard<std::mutex> lock(m);
        return !stop.load() && (!queue.empty() || in_flight > 0);
    }
};

bool cancelled(const FanoutSettings& s) { return s.cancel && s.cancel->load(); }

}  // namespace

double evaluation_cost_estimate(const PlannedEvaluation& e) {
    // Every block's work grows with the tokens it runs on; the unpruned baseline runs the most.
    double cost = 0;
    for (int n : e.tokens_after_block) cost += std::max(n, 0);
    return cost;
}

std::vector<std::size_t> fanout_order(const std::vector<PlannedEvaluation>& todo, std::size_t agents) {
    std::vector<std::size_t> order(todo.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    // One agent: plan order (progress reads as the plan). Several: longest first, so the run does not
    // end with one agent on a long evaluation while the others idle (the results are merged in plan
    // order whatever the order they were run in).
    if (agents > 1)
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return evaluation_cost_estimate(todo[a]) > evaluation_cost_estimate(todo[b]);
        });
    return order;
}

namespace {

void run_slot(const FanoutSlot& slot, FanoutSlotSummary& summary, const std::vector<PlannedEvaluation>& todo,
              const FanoutSettings& settings, Board& board) {
    auto notice = [&](const std::string& text) { board.post(FanoutNotice{slot.name, text}, false); };
    std::unique_ptr<FanoutAgent> agent;
    int attempt = 0;
    try {
        for (;;) {
            if (board.stop.load() || cancelled(settings)) break;
            if (!agent) {
                if (!board.work_may_come()) break;
                try {
                    agent = slot.start(attempt);
                    summary.where = agent->where();
                    notice(std::string(attempt ? "restarted" : "started") +
                           (summary.where.empty() ? "" : " (" + summary.where + ")"));
                } catch (const FanoutAgentLost& e) {
                    if (++attempt > settings.max_restarts) {
                        summary.retired = true;
                        notice(std::string("could not start: ") + e.what() + "; this slot stops");
                        break;
                    }
                    summary.restarts = attempt;
                    notice(std::string("could not start: ") + e.what() + "; trying again");
                    std::this_thread::sleep_for(std::chrono::seconds(1));
                    continue;
                }
            }
            std::optional<std::size_t> i = board.take();
            if (!i) {
                // Nothing queued; wait while another agent's running evaluation may come back.
                if (!board.work_may_come()) break;
                std::unique_lock<std::mutex> lock(board.m);
                board.cv.wait_for(lock, std::chrono::milliseconds(200));
                continue;
            }
            const auto start = Clock::now();
            std::optional<AccuracyEvaluation> e;
            try {
                e = agent->evaluate(todo[*i]);
            } catch (const FanoutAgentLost& lost) {
                board.give_back(*i);
                agent.reset();
                const PlannedEvaluation& p = todo[*i];
                if (++attempt > settings.max_restarts) {
                    summary.retired = true;
                    notice(std::string("lost: ") + lost.what() + "; its evaluation (" + p.method + " " + p.kind +
                           ") goes back to the queue; this slot stops");
                    break;
                }
                summary.restarts = attempt;
                notice(std::string("lost: ") + lost.what() + "; its evaluation (" + p.method + " " + p.kind +
                       ") goes back to the queue; starting a new agent");
                continue;
            }
            if (!e) {  // cancelled while it ran: not a result
                std::lock_guard<std::mutex> lock(board.m);
                --board.in_flight;
                board.queue.push_front(*i);
                board.cv.notify_all();
                break;
            }
            FanoutArrival a{*i, std::move(*e), slot.name, summary.where, seconds_since(start)};
            board.post(std::move(a), true);
        }
    } catch (...) {
        board.fail(std::current_exception());
    }
    std::lock_guard<std::mutex> lock(board.m);
    --board.live_slots;
    board.cv.notify_all();
}

}  // namespace

FanoutSummary run_calibration_fanout(const std::vector<PlannedEvaluation>& todo, const std::vector<FanoutSlot>& slots,
                                     const FanoutSettings& settings,
                                     const std::function<void(const FanoutArrival&)>& on_arrival,
                                     const std::function<void(const FanoutNotice&)>& on_notice) {
    if (slots.empty()) throw std::invalid_argument("run_calibration_fanout: no agents");
    const auto start = Clock::now();
    Board board;
    for (std::size_t i : fanout_order(todo, slots.size())) board.queue.push_back(i);
    board.live_slots = slots.size();
    FanoutSummary summary;
    summary.slots.resize(slots.size());
    for (std::size_t s = 0; s < slots.size(); ++s) summary.slots[s].name = slots[s].name;

    std::vector<std::thread> threads;
    threads.reserve(slots.size());
    for (std::size_t s = 0; s < slots.size(); ++s)
        threads.emplace_back(run_slot, std::cref(slots[s]), std::ref(summary.slots[s]), std::cref(todo),
                             std::cref(settings), std::ref(board));

    std::vector<bool> arrived(todo.size(), false);
    std::exception_ptr caller_failure;
    for (;;) {
        std::unique_lock<std::mutex> lock(board.m);
        board.cv.wait_for(lock, std::chrono::milliseconds(100),
                          [&] { return !board.mail.empty() || board.live_slots == 0; });
        if (cancelled(settings)) board.stop.store(true);
        if (board.mail.empty()) {
            if (board.live_slots == 0) break;
            continue;
        }
        auto item = std::move(board.mail.front());
        board.mail.pop_front();
        lock.unlock();
        if (caller_failure) continue;  // drain; the run is ending
        try {
            if (auto* a = std::get_if<FanoutArrival>(&item)) {
                if (arrived[a->index]) continue;  // never counted twice
                arrived[a->index] = true;
                for (auto& s : summary.slots)
                    if (s.name == a->slot) {
                        ++s.evaluations;
                        s.busy_s += a->request_s;
                        s.agent_s += a->evaluation.seconds;
                    }
                ++summary.done;
                if (on_arrival) on_arrival(*a);
            } else if (on_notice) {
                on_notice(std::get<FanoutNotice>(item));
            }
        } catch (...) {
            caller_failure = std::current_exception();
            board.fail(caller_failure);
        }
    }
    for (auto& t : threads) t.join();
    summary.remaining = todo.size() - summary.done;
    summary.handed_out_again = board.handed_out_again;
    summary.cancelled = cancelled(settings);
    summary.wall_s = seconds_since(start);
    if (board.failure) std::rethrow_exception(board.failure);
    return summary;
}

std::vector<AccuracyEvaluation> merge_in_plan_order(std::vector<AccuracyEvaluation> kept,
                                                    const std::vector<std::pair<std::size_t, AccuracyEvaluation>>& arrived) {
    std::vector<std::pair<std::size_t, AccuracyEvaluation>> sorted = arrived;
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [i, e] : sorted) kept.push_back(e);
    return kept;
}

}  // namespace tp
