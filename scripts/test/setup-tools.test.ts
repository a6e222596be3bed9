// ensure_tools (scripts/lib/tools.sh): setup installs the system tools a command needs, or stops
// before anything runs, naming each missing tool and how to install it. Fake apt-get / brew
// "install" by writing fake binaries into the sandbox's PATH.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REAL_TOOLS, repoRoot, Sandbox } from './sandbox.ts';

// apt_install runs apt-get through env; the fake installers chmod what they write.
const TOOLS = [...REAL_TOOLS, 'env', 'chmod'];

const libs = `source '${repoRoot}/scripts/lib/common.sh'; source '${repoRoot}/scripts/lib/tools.sh'`;

/** Bash that writes an executable stub called NAME into the sandbox's bin folder. */
const provide = (bin: string, ...names: string[]) =>
  names
    .map((name) => `printf '#!/bin/sh\\n' > '${path.join(bin, name)}'; chmod +x '${path.join(bin, name)}'`)
    .join('; ');

describe('tools.sh', () => {
  let sandbox: Sandbox;
  afterEach(() => sandbox.dispose());

  it('should install what is missing with apt on Debian as root, in one apt-get call', () => {
    sandbox = new Sandbox(TOOLS);
    sandbox
      .fake('id', 'echo 0')
      .fake('dpkg', 'exit 1') // nothing installed yet
      .fake('apt-get', provide(sandbox.bin, 'ffmpeg', 'ffprobe', 'chromium', 'docker-compose'));
    const { code, stdout, stderr } = sandbox.bash(
      `${libs}; OS_KIND=linux; ensure_tools ffmpeg chromium compose`,
    );
    expect(code, stderr).toBe(0);
    expect(sandbox.calls().filter((c) => c.startsWith('apt-get'))).toEqual([
      'apt-get install -y --no-install-recommends ffmpeg chromium docker-compose',
    ]);
    expect(stdout).toContain('Installed ffmpeg chromium compose');
  });

  it('should install only ffmpeg for npm start', () => {
    sandbox = new Sandbox(TOOLS);
    sandbox
      .fake('id', 'echo 0')
      .fake('dpkg', 'exit 1')
      .fake('apt-get', provide(sandbox.bin, 'ffmpeg', 'ffprobe'));
    const { code, stderr } = sandbox.bash(`${libs}; OS_KIND=linux; ensure_tools ffmpeg`);
    expect(code, stderr).toBe(0);
    expect(sandbox.calls()).toContain('apt-get install -y --no-install-recommends ffmpeg');
  });

  it('should stop naming each missing tool and its install command when it cannot install', () => {
    sandbox = new Sandbox(TOOLS);
    sandbox.fake('id', 'echo 1000'); // not root, and no sudo in this PATH
    const { code, stdout, stderr } = sandbox.bash(
      `${libs}; OS_KIND=linux; ensure_tools ffmpeg chromium compose; echo went-on`,
    );
    expect(code).toBe(1);
    expect(stdout).not.toContain('went-on');
    expect(stderr).toContain('Missing system tools: ffmpeg chromium compose.');
    expect(stderr).toContain('sudo apt-get install ffmpeg');
    expect(stderr).toContain('sudo apt-get install chromium');
    expect(stderr).toContain('sudo apt-get install docker-compose');
    expect(stderr).toContain('brew install --cask chromium');
  });

  it('should name only what apt could not provide', () => {
    sandbox = new Sandbox(TOOLS);
    sandbox
      .fake('id', 'echo 0')
      .fake('dpkg', 'exit 1')
      .fake('apt-get', provide(sandbox.bin, 'ffmpeg', 'ffprobe', 'docker-compose')); // no chromium package (Ubuntu)
    const { code, stderr } = sandbox.bash(`${libs}; OS_KIND=linux; ensure_tools ffmpeg chromium compose`);
    expect(code).toBe(1);
    expect(stderr).toContain('Missing system tools: chromium.');
    expect(stderr).toContain('CHROMIUM_PATH');
  });

  it('should use Homebrew on macOS, Chromium as a cask', () => {
    sandbox = new Sandbox(TOOLS);
    sandbox.fake(
      'brew',
      `case "$*" in "install ffmpeg") ${provide(sandbox.bin, 'ffmpeg', 'ffprobe')} ;; "install --cask chromium") ${provide(sandbox.bin, 'chromium')} ;; esac`,
    );
    const { code, stderr } = sandbox.bash(`${libs}; OS_KIND=macos; ensure_tools ffmpeg chromium`);
    expect(code, stderr).toBe(0);
    expect(sandbox.calls()).toEqual(['brew install ffmpeg', 'brew install --cask chromium']);
  });

  it('should leave present tools alone and honour FFMPEG_PATH, FFPROBE_PATH and CHROMIUM_PATH', () => {
    sandbox = new Sandbox(TOOLS);
    sandbox.fake('apt-get', 'exit 1').fake('my-ffmpeg', '').fake('my-ffprobe', '').fake('my-browser', '');
    const { code, stdout, stderr } = sandbox.bash(
      `${libs}; OS_KIND=linux; ensure_tools ffmpeg chromium; find_chromium`,
      {
        FFMPEG_PATH: 'my-ffmpeg',
        FFPROBE_PATH: 'my-ffprobe',
        CHROMIUM_PATH: path.join(sandbox.bin, 'my-browser'),
      },
    );
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('System tools present: ffmpeg chromium');
    expect(stdout).toContain(path.join(sandbox.bin, 'my-browser'));
    expect(sandbox.calls()).toEqual([]);
  });

  it('should not look elsewhere when CHROMIUM_PATH names a missing file', () => {
    sandbox = new Sandbox(TOOLS);
    sandbox.fake('chromium', '');
    const { code } = sandbox.bash(`${libs}; find_chromium`, { CHROMIUM_PATH: '/nonexistent/chromium' });
    expect(code).toBe(1);
  });
});
