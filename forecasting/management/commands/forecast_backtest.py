from django.core.management.base import BaseCommand

from forecasting.probability import factor_name
from forecasting.refresh import backtest_and_refit


class Command(BaseCommand):
    help = (
        "Run the win model's forward backtest (the calibration page shows the same), keep it, and refit "
        "today's model with the tuning it chose."
    )

    def handle(self, *args, **options):
        b = backtest_and_refit()
        out = self.stdout.write
        months = b.months
        out(f"months: {months[0][:7]} .. {months[-1][:7]} ({len(months)})" if months else "months: none")
        out(f"judged: {b.judged} projects (open at a month-start, closed since); unresolved: {b.unresolved}")
        out(f"Brier  app {b.brier}  stage default {b.brier_default}  stage rate {b.brier_rate}")
        out(f"reasons shown on {b.with_reasons} of {b.judged}; right-signed share {b.right_share}")
        out(f"tuning chosen: {b.tuning}")
        out("")
        out(f"{'month':<8} {'trained':>8} {'judged':>7} {'open':>6} {'app':>7} {'default':>8} {'rate':>7}  tuning")
        for m in b.per_month:
            out(
                f"{m['month'][:7]:<8} {m['trained_on']:>8} {m['judged']:>7} {m['unresolved']:>6} "
                f"{_f(m['app']):>7} {_f(m['default']):>8} {_f(m['rate']):>7}  {m['tuning']}"
            )
        out("")
        out(f"{'predicted':<10} {'n':>6} {'mean %':>7} {'won %':>7}")
        for c in b.calibration:
            out(f"{c['low']:>3}-{c['high']:<3}%   {c['n']:>6} {_f(c['predicted']):>7} {_f(c['actual']):>7}")
        out("")
        for f in b.factors:
            name = factor_name(f["code"], f["value"])
            way = "+" if f["raises"] else "-"
            out(
                f"{way} {name}: {f['n']} projects, {f['points']} points, base {f['base']}% "
                f"actual {f['actual']}% {'right' if f['right'] else 'WRONG'}"
            )


def _f(value) -> str:
    return "—" if value is None else str(value)
