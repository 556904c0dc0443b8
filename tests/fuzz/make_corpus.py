#!/usr/bin/env python3
"""Writes the fuzz seed corpora (tests/fuzz/corpus/<target>/) from the repository's own small
examples plus a few hand-made inputs. Run from the repository root; keeps the total well under 1 MB.
Files found by the fuzzers later can be added by hand (keep them small)."""
import gzip, json, os, shutil, struct

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
out = os.path.join(root, "tests", "fuzz", "corpus")


def put(target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def src(path):
    with open(os.path.join(root, path), "rb") as f:
        return f.read()


def small_json(path, trim):
    doc = json.loads(src(path))
    trim(doc)
    return json.dumps(doc, indent=1)


shutil.rmtree(out, ignore_errors=True)
F = "tests/data/formats/"

# profiles
put("fuzz_profile", "imported.json", src(F + "good/imported_profile.json"))
for b in ["profile_bad_device_kind", "profile_missing_model", "profile_truncated", "profile_unknown_field"]:
    put("fuzz_profile", b + ".json", src(F + "bad/" + b + ".json"))
put("fuzz_profile", "census.json", small_json("tests/data/steps/gpu_block_census.profile.json",
    lambda d: [c.__setitem__("points", c["points"][:6]) for c in d.get("curves", [])]))

# schedules
put("fuzz_schedule", "deit_tiny_cut.json", src("tests/data/schedules/deit_tiny_fp16_cut.schedule.json"))
put("fuzz_schedule", "two_cuts.json", src(F + "good/fmnist_two_cuts.schedule.json"))
for b in ["schedule_bad_status", "schedule_cls_dropped", "schedule_unknown_method"]:
    put("fuzz_schedule", b + ".json", src(F + "bad/" + b + ".json"))

# latency calibrations
put("fuzz_latency_calibration", "fmnist.json", src(F + "good/fmnist.calibration.json"))
put("fuzz_latency_calibration", "string_latency.json", src(F + "bad/calibration_string_latency.json"))
put("fuzz_latency_calibration", "cpu_fmnist.json", small_json("profiles/cpu-2core_fmnist_vit8_fp32_b1.calibration.json",
    lambda d: d.__setitem__("entries", d["entries"][:12])))

# accuracy calibrations
put("fuzz_accuracy_calibration", "fmnist_vit8.json", small_json(
    "resources/models/fmnist_vit8/fmnist_vit8.accuracy-calibration.json",
    lambda d: d.__setitem__("evaluations", d["evaluations"][:10])))

# device lists
put("fuzz_device_list", "two.json", json.dumps({"devices": [
    {"name": "jetson", "transport": "ssh", "user": "me", "host": "jetson.local", "port": 2222,
     "identity_file": "/home/me/.ssh/id_ed25519", "jump": "gate@bastion:22", "agent": "/opt/tailprune/bin/tailprune",
     "env": {"LD_LIBRARY_PATH": "/opt/torch/lib"}, "notes": "Orin"},
    {"name": "h100", "host": "gpu01", "agent": "/usr/local/bin/tailprune", "ssh_config": "/home/me/.ssh/cfg",
     "known_hosts": "/home/me/.ssh/kh"}]}, indent=1))
put("fuzz_device_list", "empty.json", '{"devices": []}')

# model cards (the input pipeline runs in the same target)
put("fuzz_model_card", "fmnist_vit8.json", src("resources/models/fmnist_vit8/fmnist_vit8.card.json"))
put("fuzz_model_card", "tiny_vit.json", src("tests/data/parity-timm/tiny_vit.card.json"))

# safetensors
put("fuzz_safetensors", "reference.safetensors", src("tests/data/parity-timm/reference.safetensors"))
def st(header, data):
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + data
put("fuzz_safetensors", "f16_bf16.safetensors", st({"__metadata__": {"format": "pt"},
    "a": {"dtype": "F16", "shape": [2, 2], "data_offsets": [0, 8]},
    "b": {"dtype": "BF16", "shape": [3], "data_offsets": [8, 14]},
    "c": {"dtype": "F32", "shape": [], "data_offsets": [14, 18]}}, bytes(range(18))))
put("fuzz_safetensors", "empty.safetensors", st({}, b""))

# IDX (decompressed)
def idx(dims, data):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + bytes(data)
put("fuzz_idx", "images.idx", idx([2, 3, 3], range(18)))
put("fuzz_idx", "labels.idx", idx([5], [0, 1, 2, 9, 3]))
put("fuzz_idx", "empty.idx", idx([0, 28, 28], []))

# CSV: the first line is the scope
put("fuzz_csv_import", "h100_block.csv", b"block:3\n" + src(F + "good/h100_block_small.csv"))
put("fuzz_csv_import", "period4.csv", b"model\n" + src("tests/data/steps/cpu_block_period4.csv"))
put("fuzz_csv_import", "reordered.csv", "prune:pomt:3:197\nmedian_ms,tokens\n1.5,10\n1.6,\"20\"\r\n2e0,30\n")

# agent request lines
reqs = {
    "hello": {"v": 3, "id": "hello-1", "cmd": "hello", "nonce": "5f0c"},
    "profile": {"v": 3, "id": 4, "cmd": "profile", "model": "deit_tiny_patch16_224", "scopes": ["model", "block:3", "prune:topk:2:197"],
                "tokens": "1..197:8,all", "rounds": 3, "warmup": 1, "device": "cuda:0", "dtype": "fp16", "mode": "graph",
                "l2": "cold", "batch": 2, "coarse_step": 4, "chunk": 16, "seed": 7, "shuffle": False, "census": True,
                "threads": 2, "min_clock_ratio": 0.5, "checkpoints": True, "max_line_bytes": 8388608,
                "stopping": {"min_samples": 10, "min_time_s": 0.5, "target_rel_noise": 0.01, "timeout_s": 15}},
    "measure": {"v": 1, "id": 7, "cmd": "measure", "model": "deit_small_patch16_224", "rounds": 3, "baseline": True,
                "schedule": json.loads(src("tests/data/schedules/deit_tiny_fp16_cut.schedule.json"))},
    "evaluate": {"v": 2, "id": "e1", "cmd": "evaluate", "weights": "/tmp/m.safetensors", "dataset": "fashion-mnist",
                 "split": "holdout", "limit": 2000, "seed": 3, "threads": 1, "dtype": "bf16", "method": "tome", "batch": 32,
                 "device": "cpu", "data_dir": "/usr/share/datasets/fashion-mnist",
                 "schedule": json.loads(src(F + "good/fmnist_two_cuts.schedule.json"))},
    "cancel": {"v": 1, "id": "c", "cmd": "cancel", "target": 4},
    "describe": {"v": 2, "id": None, "cmd": "describe"},
}
for name, r in reqs.items():
    put("fuzz_agent_request", name + ".jsonl", json.dumps(r))

# JSON pointer scanner: first line the pointer, then the text
put("fuzz_json_pointer", "profile.txt", b"/curves/0/points/1/median_ms\n" + src(F + "good/imported_profile.json"))
put("fuzz_json_pointer", "escapes.txt", '/a~1b/c~0d/2\n{"a/b": {"c~d": [1, "x\\"y", {"e": null}]}, "f": [true, false]}\n')

# token specs: two bytes pick max_tokens (1 + 16 * value), then the text
put("fuzz_token_spec", "all.txt", b"\x00\x0d" + b"all")
put("fuzz_token_spec", "ranges.txt", b"\x00\x0d" + b"1..197:4,50,60..70,all")
put("fuzz_token_spec", "stride.txt", b"\x00\x04" + b"3..9:2, 10")

# a Jetson's tools (issue 22): nvpmodel -q and jetson_clocks --show output
put("fuzz_board_tools", "nvpmodel_maxn.txt", b"NV Fan Mode:quiet\nNV Power Mode: MAXN\n0\n")
put("fuzz_board_tools", "nvpmodel_30w.txt", b"NV Power Mode: 30W\n2\n")
put("fuzz_board_tools", "show_locked.txt",
    b"SOC family:tegra234  Machine:NVIDIA Jetson AGX Orin\nOnline CPUs: 0-11\n"
    b"cpu0: Online=1 Governor=schedutil MinFreq=2201600 MaxFreq=2201600 CurrentFreq=2201600 IdleStates: WFI=0 c7=0\n"
    b"GPU MinFreq=1300500000 MaxFreq=1300500000 CurrentFreq=1300500000\n"
    b"EMC MinFreq=204000000 MaxFreq=3199000000 CurrentFreq=3199000000 FreqOverride=1\nNV Power Mode: MAXN\n")
put("fuzz_board_tools", "show_unlocked.txt", b"GPU MinFreq=306000000 MaxFreq=1300500000 CurrentFreq=612000000\n")

# chunk events (one per line)
full = json.dumps({"v": 3, "id": 4, "event": "done", "result": {"points": 3}})
parts = [full[:20], full[20:40], full[40:]]
put("fuzz_event_chunks", "three.jsonl", "\n".join(json.dumps(
    {"v": 3, "id": 4, "event": "chunk", "of": "done", "index": i, "count": 3, "data": p}) for i, p in enumerate(parts)))
put("fuzz_event_chunks", "two_ids.jsonl", "\n".join(json.dumps(
    {"v": 3, "id": i % 2, "event": "chunk", "of": "checkpoint", "index": i // 2, "count": 2, "data": "{}"[i // 2]})
    for i in range(4)))

# gzip
put("fuzz_gzip", "calibration.gz", gzip.compress(src(F + "good/fmnist.calibration.json"), mtime=0))
put("fuzz_gzip", "two_members.gz", gzip.compress(b"abc", mtime=0) + gzip.compress(b"def\n" * 10, mtime=0))
put("fuzz_gzip", "idx.gz", gzip.compress(idx([5], [0, 1, 2, 9, 3]), mtime=0))

# store rows: edits of a small valid store (tests/fuzz/store_rows_body.cpp); the empty one reads it as it is
store_edits = {
    'calibration_rows.txt': "calibrations.tokens_after_block = '[197,197,197,120]\ncalibrations.subset#1 = 'fashion-mnist/holdout/2000@seed7\ncalibrations.metric#0 = 'top5\ncalibrations.value = 1.5\n",
    'census.txt': 'census.kernel_position#0 = 5\ncensus.grid#1 = -1\ncensus.tokens = 4294967297\n',
    'curve_scope.txt': "curves.scope_block#1 = 99\ncurves.scope_kind#2 = 'attn\n",
    'deleted_rows.txt': '-models#0\n-stale_flags\n',
    'evaluations.txt': "evaluations.images#1 = 1e10\nevaluations.kind#0 = 'top5\nevaluations.dataset = 'x:y:z\n",
    'model_fields.txt': 'models.depth = 11\nmodels.tokens#0 = 1048577\nmodels.mlp_ratio_x100 = -400\n',
    'point_values.txt': "points.raw_ms#3 = x'000000000000f03f0000'\npoints.discarded#4 = 'lots\npoints.tokens#5 = 0\n",
    'revision_json.txt': 'schedule_revisions.tokens_after_block = \'[197,197,197,120,120,120,120,120,120,120,120,120]\nschedule_revisions.parameters#1 = \'{"alpha": 0.25, "beta": 2}\nschedule_revisions.status#0 = \'deployed\n',
    'revision_rows.txt': "schedule_revisions.device#1 = '{}\nschedule_revisions.revision#1 = 5\nschedules.name = null\n",
    'run_fields.txt': 'runs.device_extra = \'{"governor": "powersave", "n": 1}\nruns.environment#1 = \'[]\nruns.mode = \'warp\nruns.format_version#0 = 2\n',
    'samples_2_32.txt': 'points.samples = 4294967296\n',
    'stale_flags.txt': "stale_flags.reason = 'edge moved\\nsecond line\nstale_flags.newer_run_id = 77\n",
    'valid_store_no_edit.txt': '',
}
for name, edits in store_edits.items():
    put("fuzz_store_rows", name, edits)
