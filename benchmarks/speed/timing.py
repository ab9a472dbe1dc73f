"""The one timing helper of the benchmarks: warm-up runs, then repeated timed runs (a GPU synchronized around each),
reported as the median and the spread (fastest and slowest run), so that a ratio is read beside its noise."""
import statistics, time
from dataclasses import dataclass, field
import torch


@dataclass
class Timing:
    "Seconds of each timed run, the last run's output, and the peak GPU memory (GiB) of the runs."
    times: list
    output: object = field(default=None, repr=False)
    peak_gb: float = float('nan')

    @property
    def median(self) -> float: return statistics.median(self.times)

    def __str__(self) -> str:
        unit, scale = ('ms', 1e3) if self.median < 1 else ('s', 1.)
        return (f"{self.median * scale:.1f} {unit} (median of {len(self.times)}, "
                f"{min(self.times) * scale:.1f}-{max(self.times) * scale:.1f})")


def timed(fn, device='cpu', repeats=5, warmup=1) -> Timing:
    "Time `fn()` `repeats` times after `warmup` untimed runs."
    device = torch.device(device)
    cuda = device.type == 'cuda'
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    out = None
    for _ in range(warmup): out = fn()
    sync()
    if cuda: torch.cuda.reset_peak_memory_stats()
    times = []
    for _ in range(repeats):
        t = time.perf_counter(); out = fn(); sync(); times.append(time.perf_counter() - t)
    return Timing(times, out, torch.cuda.max_memory_allocated() / 2**30 if cuda else float('nan'))


def ratio(slow: Timing, fast: Timing) -> str:
    "How many times faster `fast` is, from the medians, with the range the runs allow."
    return (f"{slow.median / fast.median:.2f}x (from {min(slow.times) / max(fast.times):.2f}x to "
            f"{max(slow.times) / min(fast.times):.2f}x over the runs)")
