"""The benchmarks' own arithmetic (their figures are measured by running them, see README)."""

from bench.commands import bench_commands
from bench.latency import merge
from finetune.evaluate import percentile


def _part(latencies, outputs, rss, valid):
    return {"name": "pipeline", "note": "", "latencies": latencies, "model_calls": [2] * len(latencies), "valid": valid,
            "load_s": 5.0, "peak_rss_mb": rss, "outputs": outputs}


def test_latency_rounds_measure_every_command_once_and_merge_into_one_row(home):
    """bench/latency.py spreads each configuration's commands over rounds (a shared host drifts);
    the rounds' shares are the n commands, each once, and one configuration's rounds merge into
    the row it would have printed measured at once."""
    commands = bench_commands(home, 10)
    shares = [commands[part::3] for part in range(3)]
    assert sorted(c for share in shares for c in share) == sorted(commands)
    parts = [_part([30.0, 90.0, 60.0, 20.0], ["a", "b", "c", "d"], 1000, 4), _part([50.0, 10.0, 70.0], ["e", "f", "g"], 1100, 2),
             _part([40.0, 80.0, 100.0], ["h", "i", "j"], 1050, 3)]
    row = merge(parts)
    every = [x for p in parts for x in p["latencies"]]
    assert row["n"] == 10 and row["valid"] == 9 and row["peak_rss_mb"] == 1100
    assert row["p50_ms"] == percentile(every, 0.5) == 50.0 and row["p95_ms"] == 100.0
    assert row["outputs"] == list("abcdefghij")
