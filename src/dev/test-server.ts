import fs from 'node:fs';
import path from 'node:path';
import { cacheDir } from './cache-dir';
import { runWithProgress } from './run-with-progress';
import { buildAtomically, commandWorks, isExecutable, type Log, type ServerBinary } from './server-binary';

/** io.temporal:temporal-test-server on Maven Central: Temporal's time-skipping test server. */
export const TEST_SERVER_VERSION = '1.38.0';

const pom = (version: string): string => `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.journeys</groupId>
  <artifactId>temporal-test-server-classpath</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${version}</version>
    </dependency>
    <!-- Silences SLF4J's "no binding" warning on every start. -->
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-nop</artifactId>
      <version>1.7.36</version>
    </dependency>
  </dependencies>
</project>
`;

// `exec` so that the pid the SDK holds is the JVM itself, and stopping it stops the server.
const wrapper = (version: string): string => `#!/bin/sh
# Temporal time-skipping test server ${version} (io.temporal:temporal-test-server), provisioned by Journeys.
# Usage: temporal-test-server <port> [--enable-time-skipping]
dir=$(cd "$(dirname "$0")" && pwd)
java="\${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$java" -XX:+UseSerialGC -Xmx512m -cp "$dir/lib/*" io.temporal.testserver.TestServer "$@"
`;

/**
 * The time-skipping test server: our cached copy, else its runtime classpath fetched with Maven
 * plus a small wrapper script, else (no Java or Maven) the SDK's own download at run time.
 */
export async function ensureTestServer(log: Log): Promise<ServerBinary> {
  const name = 'temporal-test-server';
  const dir = path.join(cacheDir(), `temporal-test-server-${TEST_SERVER_VERSION}`);
  const script = path.join(dir, 'temporal-test-server');
  if (isExecutable(script)) return { name, version: TEST_SERVER_VERSION, path: script, source: 'cache' };
  const [java, mvn] = await Promise.all([commandWorks('java', ['-version']), commandWorks('mvn', ['-v'])]);
  if (!java || !mvn) {
    log(`[${name}] ${java ? 'Maven' : 'Java'} is not installed: the SDK will download the test server when needed`);
    return { name, version: 'sdk default', source: 'sdk-download' };
  }
  log(`[${name}] fetching io.temporal:temporal-test-server:${TEST_SERVER_VERSION} with Maven`);
  await buildAtomically(dir, async (tmp) => {
    fs.writeFileSync(path.join(tmp, 'pom.xml'), pom(TEST_SERVER_VERSION));
    await runWithProgress(
      'mvn',
      ['-B', 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${path.join(tmp, 'lib')}`],
      {
        label: name,
        log,
        cwd: tmp,
        counters: { 'files downloaded': (l) => l.includes('Downloaded from') },
      },
    );
    fs.writeFileSync(path.join(tmp, 'temporal-test-server'), wrapper(TEST_SERVER_VERSION), { mode: 0o755 });
  });
  return { name, version: TEST_SERVER_VERSION, path: script, source: 'built' };
}
