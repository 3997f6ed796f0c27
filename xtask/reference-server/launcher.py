"""Run the real PyTupli 1.2.9 server on 127.0.0.1 with an in-memory MongoDB.

The server is `pytupli.server.main:app`. Its database layer talks to MongoDB
through motor; here motor's client is replaced by mongomock-motor and motor's
GridFS bucket by a thin async wrapper over pymongo's synchronous bucket, so no
MongoDB is needed. All data lives in this one process and is lost on exit.

Usage:
    python launcher.py --port N [--host 127.0.0.1] [--access-token-minutes F]
        [--refresh-token-minutes F] [--pid-file PATH] [--admin-password PW]
        [--open-access] [--stats]
"""

import argparse
import os
import secrets

# MongoDB refuses to store a BSON document larger than this (16 MiB).
MAX_BSON_SIZE = 16 * 1024 * 1024


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--host', default='127.0.0.1', help='only 127.0.0.1 is accepted')
    parser.add_argument('--access-token-minutes', type=float, default=30.0)
    parser.add_argument('--refresh-token-minutes', type=float, default=60 * 7 * 30.0)
    parser.add_argument('--pid-file', help='written once the server listens, removed on exit')
    parser.add_argument('--admin-password', default='pytupli', help='password of user "admin"')
    parser.add_argument(
        '--open-access', action='store_true', help='let requests without a token in as guests'
    )
    parser.add_argument(
        '--stats', action='store_true', help='count requests per path; GET /__stats answers them'
    )
    args = parser.parse_args()
    if args.host != '127.0.0.1':
        parser.error('refusing to bind anywhere but 127.0.0.1')
    return args


def configure_environment(args):
    """Set the variables the server reads at import and start-up."""
    # pytupli.server.config calls load_dotenv(override=True) at import, which
    # would let a stray .env file override everything below. Disable it.
    import dotenv

    dotenv.load_dotenv = lambda *_args, **_kwargs: False

    os.environ['API_SECRET_KEY'] = secrets.token_hex(32)
    os.environ['DB_ADMIN_PW'] = args.admin_password
    # Never contacted: the client is replaced by mongomock.
    os.environ['MONGO_CONNECTION_STRING'] = 'mongodb://localhost'
    os.environ['MONGO_DB_NAME'] = 'pytupli'
    # The server treats any non-empty string as "on" and an unset variable as "on" too,
    # so "off" has to be the empty string.
    os.environ['OPEN_SIGNUP_MODE'] = 'True'
    os.environ['OPEN_ACCESS_MODE'] = 'True' if args.open_access else ''


def enforce_document_size_limit():
    """Make mongomock refuse documents over 16 MiB, as a real MongoDB does."""
    import copy
    from collections.abc import Mapping

    import bson
    from mongomock.collection import Collection
    from pymongo.errors import WriteError

    def check_size(document, message):
        size = len(bson.encode(document))
        if size > MAX_BSON_SIZE:
            raise WriteError(message.format(size=size, max=MAX_BSON_SIZE))

    # Every insert (insert_one, insert_many, upserts, GridFS) stores single
    # documents through Collection._insert; lists recurse into it per document.
    original_insert = Collection._insert

    def insert(self, data, *args, **kwargs):
        if isinstance(data, Mapping):
            check_size(data, 'object to insert too large. size in bytes: {size}, max size: {max}')
        return original_insert(self, data, *args, **kwargs)

    # update_one/update_many/replace_one/find_one_and_* change the stored
    # document in place through this method: undo the change if it got too big.
    original_apply_update = Collection._apply_update_document

    def apply_update(self, existing_document, *args, **kwargs):
        before = copy.deepcopy(existing_document)
        original_apply_update(self, existing_document, *args, **kwargs)
        try:
            check_size(existing_document, 'Resulting document after update is larger than {max}')
        except WriteError:
            existing_document.clear()
            existing_document.update(before)
            raise

    Collection._insert = insert
    Collection._apply_update_document = apply_update


class GridFSBucket:
    """The part of motor's AsyncIOMotorGridFSBucket the server uses, over mongomock.

    `database` is the mongomock-motor database the server hands in; its
    `delegate` is the synchronous mongomock database underneath.
    """

    def __init__(self, database, bucket_name='fs'):
        import gridfs

        self._bucket = gridfs.GridFSBucket(database.delegate, bucket_name)
        self._files = database[f'{bucket_name}.files']

    def find(self, filter):
        # The server only reads the raw file documents; mongomock-motor's
        # cursor already has the awaitable to_list().
        return self._files.find(filter)

    async def upload_from_stream(self, filename, source, metadata=None):
        return self._bucket.upload_from_stream(filename, source, metadata=metadata)

    async def download_to_stream_by_name(self, filename, destination):
        self._bucket.download_to_stream_by_name(filename, destination)

    async def delete(self, file_id):
        self._bucket.delete(file_id)


def substitute_database():
    """Point the server's database handler at mongomock before it is imported."""
    import mongomock.gridfs
    import mongomock_motor
    import pytupli.server.db.db_handler as db_handler

    # Let pymongo's gridfs accept mongomock databases and collections.
    mongomock.gridfs.enable_gridfs_integration()
    enforce_document_size_limit()
    db_handler.AsyncIOMotorClient = mongomock_motor.AsyncMongoMockClient
    db_handler.AsyncIOMotorGridFSBucket = GridFSBucket


def set_token_lifetimes(args):
    # The endpoints read these module globals on every login/refresh and pass
    # them to timedelta(minutes=...), so fractions of a minute work.
    import pytupli.server.api.endpoints.users as users

    users.ACCESS_TOKEN_EXPIRE_MINUTES = args.access_token_minutes
    users.REFRESH_TOKEN_EXPIRE_MINUTES = args.refresh_token_minutes


# The key under which `RequestCounter` counts 401 answers.
UNAUTHORIZED_KEY = 'status 401'


class RequestCounter:
    """ASGI middleware counting requests per path, for load tests: what the
    server saw, not what a client believes it sent."""

    def __init__(self, app):
        import collections

        self.app = app
        self.counts = collections.Counter()

    async def __call__(self, scope, receive, send):
        if scope['type'] == 'http':
            if scope['path'] == '/__stats':
                import json

                body = json.dumps(self.counts).encode()
                headers = [(b'content-type', b'application/json'), (b'content-length', str(len(body)).encode())]
                await send({'type': 'http.response.start', 'status': 200, 'headers': headers})
                await send({'type': 'http.response.body', 'body': body})
                return
            self.counts[scope['path']] += 1

            async def counting_send(message):
                # 401 answers are counted too (under a key no path has):
                # each one is a request the client may rightly send again.
                if message['type'] == 'http.response.start' and message['status'] == 401:
                    self.counts[UNAUTHORIZED_KEY] += 1
                await send(message)

            await self.app(scope, receive, counting_send)
            return
        await self.app(scope, receive, send)


def make_server(args):
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn server that announces itself through the pid file."""

        async def startup(self, sockets=None):
            # Returns after the app's start-up (roles and admin created) and
            # once the socket listens; on failure `started` stays False.
            await super().startup(sockets)
            if self.started and args.pid_file:
                # Write then rename, so a poller never sees a half-written file.
                with open(args.pid_file + '.tmp', 'w') as f:
                    f.write(f'{os.getpid()}\n')
                os.replace(args.pid_file + '.tmp', args.pid_file)

        async def shutdown(self, sockets=None):
            # Removed here rather than after run(): uvicorn re-raises SIGTERM/SIGINT
            # once serving ends, which would kill the process before that.
            try:
                await super().shutdown(sockets)
            finally:
                if args.pid_file and os.path.exists(args.pid_file):
                    os.remove(args.pid_file)

    from pytupli.server.main import app

    # Serving an app object runs in this single process (no workers, no reload).
    if args.stats:
        app = RequestCounter(app)
    return Server(uvicorn.Config(app, host=args.host, port=args.port, log_level='warning'))


def main():
    args = parse_args()
    configure_environment(args)
    substitute_database()
    set_token_lifetimes(args)
    make_server(args).run()


if __name__ == '__main__':
    main()
