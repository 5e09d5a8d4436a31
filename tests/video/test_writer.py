import os
from pathlib import Path

import av
import numpy as np
import pytest

from shopguard.video.writer import Mp4Writer


def test_writes_browser_playable_h264(tmp_path: Path) -> None:
    path = tmp_path / "out.mp4"
    with Mp4Writer(path, fps=12.5) as writer:
        for i in range(25):
            writer.write(np.full((121, 161, 3), i * 10, np.uint8))  # odd sizes are trimmed
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert (stream.width, stream.height) == (160, 120)
        assert sum(1 for _ in container.decode(stream)) == 25
    assert path.read_bytes()[4:8] == b"ftyp"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_disk_full_raises_and_close_releases_the_file(tmp_path: Path) -> None:
    path = tmp_path / "full.mp4"
    path.symlink_to("/dev/full")
    writer = Mp4Writer(path, fps=10)
    rng = np.random.default_rng(0)
    with pytest.raises(OSError):
        for _ in range(300):
            writer.write(rng.integers(0, 255, (240, 320, 3), dtype=np.uint8))
    writer.close()  # must not crash the process
    writer.close()
