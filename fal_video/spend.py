"""What a run will cost, known before anything is submitted, and the limit a user can put on it.

Each node's estimate is its block's `estimate_usd` (fal's published price for that request); a node
whose endpoint has no published price, or whose price depends on a value known only at run time,
is unpriced, and a limit refuses it unless the user accepts that (`--allow-unpriced`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .errors import BadInput
from .preflight import NodePlan


class SpendLimitError(BadInput):
    """The run could cost more than the user allowed; nothing was submitted."""


@dataclass(frozen=True)
class SpendEstimate:
    total_usd: float
    """The sum of the priced jobs."""
    priced: tuple[str, ...]
    unpriced: tuple[str, ...]
    """Nodes that submit a job fal publishes no price for (or one known only at run time)."""

    def describe(self) -> str:
        """`estimated cost: $1.20 for 2 jobs, plus 1 with no published price (render-mochi)`."""
        names = ", ".join(self.unpriced)
        if not self.priced:
            return f"estimated cost: unknown; fal publishes no price for {names}" if names else "no fal jobs"
        text = f"estimated cost: ${self.total_usd:.2f} for {_jobs(len(self.priced))}"
        if self.unpriced:
            text += f", plus {len(self.unpriced)} with no published price ({names})"
        return text


def _jobs(count: int) -> str:
    return f"{count} job{'s' if count != 1 else ''}"


def estimate(plans: Iterable[NodePlan]) -> SpendEstimate:
    priced, unpriced, total = [], [], 0.0
    for plan in plans:
        if not plan.fal_job:
            continue
        if plan.estimated_usd is None:
            unpriced.append(plan.node_id)
        else:
            priced.append(plan.node_id)
            total += plan.estimated_usd
    return SpendEstimate(round(total, 4), tuple(priced), tuple(unpriced))


def check_limit(spend: SpendEstimate, max_usd: float | None, *, allow_unpriced: bool) -> None:
    """Refuse a run over `max_usd`, or with an unpriced job under a limit (unless allowed)."""
    if max_usd is None:
        return
    if spend.total_usd > max_usd:
        raise SpendLimitError(
            f"the estimated cost, ${spend.total_usd:.2f}, is over --max-cost ${max_usd:.2f}; "
            "nothing was submitted"
        )
    if spend.unpriced and not allow_unpriced:
        raise SpendLimitError(
            f"fal publishes no price for node(s) {', '.join(spend.unpriced)}, so --max-cost "
            f"${max_usd:.2f} cannot be checked; add --allow-unpriced to run them anyway. Nothing was "
            "submitted"
        )
