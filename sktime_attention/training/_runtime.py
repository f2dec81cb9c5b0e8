"""Where torch runs: device, thread count and seed, set in one place.

Training and inference hold a process-wide lock: torch's random generator (weight
init, dropout, teacher forcing) and its thread count are global to the process, so
fits running at once in threads would otherwise mix their random draws and break
``random_state``. Parallel fits scale with processes (loky, dask workers).
"""

__all__ = ["resolve_device", "torch_session", "torch_threads"]

import threading
from contextlib import contextmanager

import torch

_TORCH_LOCK = threading.RLock()  # guards torch's global RNG and thread count


def resolve_device(device):
    """Return the torch device for ``"auto"``, ``"cpu"`` or ``"cuda"``."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("`device` is 'cuda' but torch finds no CUDA device")
    return torch.device(device)


@contextmanager
def torch_threads(num_threads):
    """Run with ``num_threads`` torch threads (None leaves the setting alone)."""
    if num_threads is None:
        yield
        return
    with _TORCH_LOCK:
        previous = torch.get_num_threads()
        torch.set_num_threads(num_threads)
        try:
            yield
        finally:
            torch.set_num_threads(previous)


@contextmanager
def torch_session(seed, num_threads, device):
    """Hold the lock, set threads and seed torch; the caller's RNG is restored."""
    devices = [device] if device.type == "cuda" else []
    with _TORCH_LOCK, torch_threads(num_threads), torch.random.fork_rng(devices):
        torch.manual_seed(seed)
        yield
