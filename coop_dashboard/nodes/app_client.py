"""The app's HTTP API as a node uses it: sign in with its key, fetch content and
licensed data verified against their CIDs, store files, report heartbeats and
reproductions. Blocking (httpx); a node runs in its own process."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import httpx
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount

from coop_dashboard.content.cid import sha256_digest
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.errors import CoopError


class NodeHttpError(CoopError):
    """The app refused something or the content is not what its CID says; the message
    carries the reason (a node acts on it: refuses a job, challenges a result)."""


class AppUnavailableError(CoopError):
    """The app did not answer (down, restarting, 5xx): try again later, decide nothing."""


def content_cid(data: bytes) -> str:
    """The CID the content store gives `data` (raw leaf or UnixFS DAG, as IPFS does)."""
    with tempfile.TemporaryDirectory(prefix="coop-cid-") as scratch:
        return LocalContentStore(Path(scratch)).put(data)


class AppClient:
    """One node's session with the app at `client.base_url`."""

    def __init__(self, client: httpx.Client, private_key: str) -> None:
        self.client = client
        self.account: LocalAccount = Account.from_key(private_key)
        self.token = ""

    @classmethod
    def connect(cls, base_url: str, private_key: str, timeout_s: float = 60.0) -> AppClient:
        return cls(httpx.Client(base_url=base_url, timeout=timeout_s), private_key)

    def _error(self, response: httpx.Response, what: str) -> NodeHttpError:
        try:
            reason = str(response.json().get("error", response.text))
        except ValueError:
            reason = response.text[:200]
        return NodeHttpError(f"{what}: HTTP {response.status_code}: {reason}")

    def sign_in(self) -> str:
        """Trade a signed SIWE message for a bearer token (kept for later calls)."""
        try:
            return self._sign_in()
        except httpx.HTTPError as error:
            raise AppUnavailableError(f"The app does not answer ({error}).") from error

    def _sign_in(self) -> str:
        asked = self.client.post("/api/auth/nonce", json={"address": self.account.address})
        if asked.status_code != 200:
            raise self._error(asked, "Sign-in (nonce)")
        message = str(asked.json()["message"])
        signature = self.account.sign_message(encode_defunct(text=message)).signature
        verified = self.client.post(
            "/api/auth/verify",
            json={"message": message, "signature": "0x" + bytes(signature).hex()},
        )
        if verified.status_code != 200:
            raise self._error(verified, "Sign-in (verify)")
        self.token = str(verified.json()["token"])
        return self.token

    def _authorized(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            if not self.token:
                self.sign_in()
            headers = {"Authorization": f"Bearer {self.token}"}
            response = self.client.request(method, path, headers=headers, **kwargs)
            if response.status_code == 401:  # the session expired: sign in again, once
                self.sign_in()
                headers = {"Authorization": f"Bearer {self.token}"}
                response = self.client.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as error:
            raise AppUnavailableError(f"The app does not answer ({error}).") from error
        if response.status_code >= 500:
            raise AppUnavailableError(f"The app answered HTTP {response.status_code} to {path}.")
        return response

    def fetch_content(self, cid: str, what: str) -> bytes:
        """The bytes `cid` names from the app's gateway, refused unless they hash to it."""
        try:
            response = self.client.get(f"/ipfs/{cid}")
        except httpx.HTTPError as error:
            raise AppUnavailableError(f"The app does not answer ({error}).") from error
        if response.status_code >= 500:
            raise AppUnavailableError(f"The gateway answered HTTP {response.status_code}.")
        if response.status_code != 200:
            raise NodeHttpError(
                f"{what} ({cid}) is unreachable: HTTP {response.status_code} from the gateway."
            )
        if content_cid(response.content) != cid:
            raise NodeHttpError(f"{what} ({cid}): the bytes served do not match the CID.")
        return response.content

    def download_dataset(self, dataset_id: int, data_cid: str, digest: bytes) -> bytes:
        """A licensed dataset's file through the gated route, checked against the chain's
        CID and sha-256; NodeHttpError says why it was refused (no pass, expired, ...)."""
        response = self._authorized("GET", f"/api/datasets/{dataset_id}/file")
        if response.status_code != 200:
            raise self._error(response, f"Download of dataset {dataset_id}")
        data = response.content
        if sha256_digest(data) != digest or content_cid(data) != data_cid:
            raise NodeHttpError(
                f"Dataset {dataset_id}'s file does not match its registered CID and digest."
            )
        return data

    def store(self, data: bytes, what: str) -> str:
        """Store `data` in the app's content store; its CID (checked against our own)."""
        response = self._authorized("POST", "/api/nodes/content", content=data)
        if response.status_code != 200:
            raise self._error(response, f"Storing the {what}")
        cid = str(response.json()["cid"])
        if cid != content_cid(data):
            raise NodeHttpError(f"The app stored the {what} under an unexpected CID {cid}.")
        return cid

    def heartbeat(
        self, job_id: int, stage: str, done: int = 0, total: int = 0, detail: str = ""
    ) -> None:
        response = self._authorized(
            "POST",
            "/api/nodes/heartbeat",
            json={
                "job_id": job_id,
                "stage": stage,
                "done": done,
                "total": total,
                "detail": detail[:240],
            },
        )
        if response.status_code != 200:
            raise self._error(response, f"Heartbeat on job {job_id}")

    def publish_reproduction(self, report: dict[str, Any]) -> None:
        response = self._authorized("POST", "/api/nodes/reproduction", json=report)
        if response.status_code != 200:
            raise self._error(response, f"Reproduction of job {report.get('job_id')}")
