"""The win model against known truth: synthetic histories of 30 to 2,000 closed projects, in a world
where visible factors matter and one where none does (``bench.forecast_world``).

Run by ``make bench-forecast`` on a scratch SQLite database of its own; every history is written,
judged and rolled back.
"""

import statistics
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from bench.forecast_eval import PREDICTORS, evaluate
from bench.forecast_world import WORLDS, history

SIZES = (30, 60, 120, 400, 2000)
SEEDS = {30: 10, 60: 8, 120: 6, 400: 4, 2000: 2}


class Command(BaseCommand):
    help = "Judge the win model on synthetic histories with known truth (Brier, reasons, their signs)."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
        parser.add_argument("--worlds", default="signal,null")
        parser.add_argument("--seeds", type=int, default=None, help="histories per size (default: more when small)")
        parser.add_argument("--open", type=int, default=600, help="open projects judged in each history")

    def handle(self, *args, sizes, worlds, seeds, open, **options):
        out = self.stdout.write
        now = timezone.now().replace(microsecond=0)
        began = time.perf_counter()
        out("Expected Brier on the open projects (lower is better); gap = share of default→oracle closed.")
        out(
            f"{'world':<7} {'closed':>6} {'runs':>4} "
            + " ".join(f"{p:>9}" for p in PREDICTORS)
            + f" {'gap':>6} {'vs rate':>8} {'reasons':>8} {'right':>7}"
        )
        for name in worlds.split(","):
            world = WORLDS[name]
            for size in map(int, sizes.split(",")):
                runs = []
                for seed in range(seeds or SEEDS.get(size, 2)):
                    runs.append(
                        evaluate(history(world, closed=size, open_projects=open, seed=1000 * size + seed, now=now))
                    )
                mean = {p: statistics.mean(r[p] for r in runs) for p in PREDICTORS}
                gap = (mean["default"] - mean["app"]) / (mean["default"] - mean["oracle"])
                vs_rate = (mean["app"] - mean["rate"]) / mean["rate"]
                shown = sum(r["shown"] for r in runs)
                right = sum(r["right"] for r in runs) / shown if shown else None
                out(
                    f"{name:<7} {size:>6} {len(runs):>4} "
                    + " ".join(f"{mean[p]:>9.4f}" for p in PREDICTORS)
                    + f" {gap:>6.0%} {vs_rate:>+8.1%} {statistics.mean(r['with_reasons'] for r in runs):>8.1%} "
                    + (f"{right:>7.0%}" if right is not None else f"{'—':>7}")
                )
                self.stdout.flush()
        out(f"({time.perf_counter() - began:.0f} s)")
