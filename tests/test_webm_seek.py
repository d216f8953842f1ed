"""WebM as browsers seek it: every cluster starts with a keyframe and the Cues (the index)
come before the first cluster, checked on real encodes, which decode to what was written."""
import subprocess

import numpy as np
import pytest

from nnviz.encode.video import Encoder, ffmpeg_exe

from nnviz.encode.formats import parse_formats
from nnviz.encode.webm import layout

W, H = 64, 48


def encode(path, fps, frames):
    """Frame n carries n in binary as 8 black/white bars, and noise, so every frame differs
    and costs more than the 4 KiB the muxer wants before it starts a cluster at a keyframe."""
    path.touch()
    encoder = Encoder({parse_formats("webm")[0]: path}, (W, H), fps, frames)
    rng = np.random.default_rng(0)
    for n in range(frames):
        image = rng.integers(0, 256, (H, W, 4), dtype=np.uint8)
        image[..., 3] = 255
        for bit in range(8):
            image[:16, bit * 8:bit * 8 + 8, :3] = 255 if n >> bit & 1 else 0
        encoder.write(image.tobytes())
    encoder.finish()


def decoded_numbers(path):
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "rawvideo",
                          "-pix_fmt", "gray", "-"], capture_output=True, check=True).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, H, W)
    bars = frames[:, 4:12, :].reshape(len(frames), 8, 8 * 8 // 8, 8).mean(axis=(1, 3))
    return [int(sum(1 << b for b in range(8) if bars[k, b] > 128)) for k in range(len(frames))]


@pytest.mark.parametrize("fps, frames, keys", [
    (25, 300, [0, 5120, 10240]),          # libvpx's keyframe every 128 frames; 12 s
    (1, 70, [0, 30000, 60000]),           # a keyframe at least every 30 s (cluster <= 32.7 s)
], ids=["25fps", "1fps"])
def test_every_cluster_starts_with_a_keyframe_and_cues_come_first(tmp_path, fps, frames, keys):
    path = tmp_path / "x.webm"
    encode(path, fps, frames)
    webm = layout(path)
    starts = [c.time for c in webm.clusters]
    assert starts == keys, starts           # one cluster per keyframe, more than one 5 s
    for cluster in webm.clusters:
        assert cluster.blocks[0] == (cluster.time, True), cluster.blocks[:3]
        assert [t for t, key in cluster.blocks if key] == [cluster.time]
        assert all(0 <= t - cluster.time < 32768 for t, _ in cluster.blocks)
    assert webm.cues == keys
    assert webm.cues_offset is not None and webm.cues_offset < webm.first_cluster
    assert sum(len(c.blocks) for c in webm.clusters) == frames
    assert decoded_numbers(path) == [n % 256 for n in range(frames)]
