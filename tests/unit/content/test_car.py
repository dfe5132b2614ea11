"""Download as CAR: the @ipld/car reader (npm) reads back every block and the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from coop_dashboard.content.car import CAR_MEDIA_TYPE, car_download, car_size, car_stream
from coop_dashboard.content.cid import cid_for_bytes, cid_from_bytes
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.content.unixfs import CHUNK_SIZE, MAX_LINKS
from coop_dashboard.errors import ContentError
from tests.unit.content.ipfs_reference import deterministic_bytes, read_car


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"a data card",
        deterministic_bytes(4 * CHUNK_SIZE + 5),
        bytes(MAX_LINKS * CHUNK_SIZE + 2 * CHUNK_SIZE),  # repeated leaves and nodes: listed once
        deterministic_bytes(MAX_LINKS * CHUNK_SIZE + 1),  # two levels of nodes
    ],
    ids=["empty", "raw", "one-node", "zeros", "two-levels"],
)
def test_the_reference_reader_reads_our_car(data: bytes, tmp_path: Path) -> None:
    store = LocalContentStore(tmp_path / "store")
    with store.writer() as writer:
        writer.write(data)
        cid = writer.commit().cid
    car_path = tmp_path / "file.car"
    with car_path.open("wb") as out:
        for piece in car_stream(store, cid):
            assert len(piece) <= CHUNK_SIZE + 64  # streamed a block at a time
            out.write(piece)
    assert car_path.stat().st_size == car_size(store, cid)

    result = read_car(car_path, tmp_path / "rebuilt.bin")

    assert result["roots"] == [cid]
    listed = [block["cid"] for block in result["blocks"]]
    assert listed == [cid_from_bytes(block_cid) for block_cid, _ in store.iter_blocks(cid)]
    assert len(set(listed)) == len(listed)
    assert all(block["verified"] for block in result["blocks"])
    assert (tmp_path / "rebuilt.bin").read_bytes() == data


def test_car_download_for_a_route(tmp_path: Path) -> None:
    store = LocalContentStore(tmp_path / "store")
    cid = store.put(deterministic_bytes(3 * CHUNK_SIZE))
    download = car_download(store, cid, filename='digits "v2"/../x.car')
    assert download.media_type == CAR_MEDIA_TYPE
    assert download.headers["Content-Disposition"] == 'attachment; filename="digitsv2..x.car"'
    body = b"".join(download.body)
    assert int(download.headers["Content-Length"]) == len(body)
    with pytest.raises(ContentError, match="not in the local store"):
        car_download(store, cid_for_bytes(b"never stored"))
    with pytest.raises(ContentError, match="Not a CIDv1"):
        car_download(store, "../../etc/passwd")


def test_a_tampered_block_stops_the_car_before_it_is_sent(tmp_path: Path) -> None:
    store = LocalContentStore(tmp_path / "store")
    data = deterministic_bytes(3 * CHUNK_SIZE)
    cid = store.put(data)
    path = store.root / cid[:10] / cid
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    sent = []
    with pytest.raises(ContentError, match="does not match its CID"):
        for piece in car_stream(store, cid):
            sent.append(piece)
    assert data[2 * CHUNK_SIZE :] not in b"".join(sent)  # the bad leaf never left
