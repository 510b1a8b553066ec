"""files.*: Slack's upload in three steps (files.getUploadURLExternal, a POST of the bytes to the URL it gave,
files.completeUploadExternal)."""

from __future__ import annotations

from doubles.slack.server import HttpReply, text_reply
from doubles.slack.state import Method, SlackState
from doubles.slack.wire import JSON, err


def get_upload_url(s: SlackState, args: JSON) -> JSON:
    """Step 1: a file id and the URL to POST the bytes to (`receive_upload`)."""
    filename = args.get("filename")
    try:
        length = int(args.get("length"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return err("invalid_arguments", errors=["length must be an integer"])
    if not filename:
        return err("invalid_arguments", errors=["filename is required"])
    file_id = f"F{next(s._ids):010d}"
    s._uploads[file_id] = {"filename": filename, "length": length, "bytes": None, "completed": False}
    return {"ok": True, "upload_url": f"{s.url}/upload/{file_id}", "file_id": file_id}


def receive_upload(s: SlackState, file_id: str, body: bytes) -> HttpReply:
    """Step 2, not a Web API call: the bytes of `file_id`, POSTed to its upload URL."""
    with s._lock:
        upload = s._uploads.get(file_id)
        if upload is None:
            return text_reply(404, b"not found")
        upload["bytes"] = body
    return text_reply(200, f"OK - {len(body)}".encode())


def complete_upload(s: SlackState, args: JSON) -> JSON:
    """Step 3: shares the uploaded files (in `channel_id` or `channels`, when given); each is then in
    SlackDouble.uploaded_files."""
    files = args.get("files")
    if not isinstance(files, list) or not files:
        return err("invalid_arguments", errors=["files must be a non-empty JSON array"])
    targets = [args["channel_id"]] if args.get("channel_id") else []
    targets += [c for c in str(args.get("channels") or "").split(",") if c]
    cids = []
    for target in targets:
        cid, error = s._postable(target)
        if error:
            return err(error)
        cids.append(cid)
    for f in files:
        upload = s._uploads.get(str(f.get("id")))
        if upload is None or upload["bytes"] is None or upload["completed"]:
            return err("file_not_found")
    out = []
    for f in files:
        upload = s._uploads[f["id"]]
        upload["completed"] = True
        title = f.get("title") or upload["filename"]
        s._uploaded.append(
            {
                "file_id": f["id"],
                "filename": upload["filename"],
                "title": title,
                "channel_id": cids[0] if cids else None,
                "bytes": upload["bytes"],
                "initial_comment": args.get("initial_comment"),
                "thread_ts": args.get("thread_ts"),
            }
        )
        out.append(
            {
                "id": f["id"],
                "created": int(s.clock()),
                "timestamp": int(s.clock()),
                "name": upload["filename"],
                "title": title,
                "mimetype": "application/octet-stream",
                "filetype": "binary",
                "user": s.bot_user_id,
                "size": len(upload["bytes"]),
                "permalink": f"https://{s.team_domain}.slack.com/files/{s.bot_user_id}/{f['id']}",
                "channels": cids,
            }
        )
    return {"ok": True, "files": out}


METHODS: dict[str, Method] = {
    "files.getUploadURLExternal": get_upload_url,
    "files.completeUploadExternal": complete_upload,
}
