import numpy as np

from shopguard.vision.motion import MotionGate, MotionSettings


def _scene(x: int) -> np.ndarray:
    image = np.full((360, 640, 3), 90, np.uint8)
    image[100:220, x : x + 60] = 230
    return image


def test_skips_still_frames_and_runs_on_motion() -> None:
    gate = MotionGate(MotionSettings(max_idle_s=1.0))
    assert gate.should_run(_scene(100), 0.0, tracks_alive=False)  # first frame
    assert not gate.should_run(_scene(100), 0.2, tracks_alive=False)
    assert gate.should_run(_scene(140), 0.4, tracks_alive=False)
    assert gate.last_motion_fraction > 0.01


def test_sensor_noise_is_not_motion() -> None:
    rng = np.random.default_rng(0)
    gate = MotionGate()
    base = _scene(100).astype(np.int16)
    runs = [
        gate.should_run(np.clip(base + rng.integers(-4, 5, base.shape), 0, 255).astype(np.uint8),
                        i * 0.2, tracks_alive=False)
        for i in range(10)
    ]
    assert runs == [True] + [False] * 9


def test_runs_at_minimum_rate_while_tracks_are_alive() -> None:
    gate = MotionGate(MotionSettings(max_idle_s=1.0))
    times = [i * 0.2 for i in range(16)]
    runs = [t for t in times if gate.should_run(_scene(100), t, tracks_alive=True)]
    assert runs == [0.0, 1.0, 2.0, 3.0]


def test_disabled_gate_runs_every_frame() -> None:
    gate = MotionGate(MotionSettings(enabled=False))
    assert all(gate.should_run(_scene(100), i * 0.2, tracks_alive=False) for i in range(5))
