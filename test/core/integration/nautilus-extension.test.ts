/**
 * The nautilus-python extension, loaded by real Python against stand-ins for
 * gi.repository.Nautilus and GObject of both APIs: nautilus-python 4 (get_file_items(files),
 * Debian 12) and 3.x (get_file_items(window, files)). Its menu item, activated, starts the app
 * with the file as one argument.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nautilusExtension } from '../../../core/integration/file-manager-entries.js';
import { findNautilusPython } from '../../../core/integration/install.js';
import { makeArgvRecorder } from '../../support/argv-recorder.js';
import { runProgram } from '../../support/run-program.js';
import { makeTempDir } from '../../support/tree.js';

/** Debian's Python, as Nautilus loads it; not a per-user one first on PATH. */
const PYTHON = '/usr/bin/python3';

const GOBJECT = `class GObject:
    pass
`;

/** Nautilus's classes as nautilus-python exposes them; only what an extension touches. */
function nautilusModule(version: 3 | 4): string {
  return `API = ${version}


class MenuProvider:
    pass


class FileInfo:
    def __init__(self, path):
        self._path = path

    def get_location(self):
        return Location(self._path)


class Location:
    def __init__(self, path):
        self._path = path

    def get_path(self):
        return self._path


class MenuItem:
    def __init__(self, **properties):
        unknown = set(properties) - {"name", "label", "tip", "icon", "sensitive", "priority"}
        if unknown:
            raise TypeError("MenuItem has no properties %s" % sorted(unknown))
        self.properties = properties
        self._handlers = []

    def connect(self, signal, handler, *data):
        assert signal == "activate"
        self._handlers.append((handler, data))

    def activate(self):
        for handler, data in self._handlers:
            handler(self, *data)
`;
}

/** Loads the extension as nautilus-python does and answers for one file or two, then activates. */
const HARNESS = `import importlib.util, json, sys
from gi.repository import Nautilus

spec = importlib.util.spec_from_file_location("snaptray_extension", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
providers = [c for c in vars(module).values()
             if isinstance(c, type) and issubclass(c, Nautilus.MenuProvider)]
provider = providers[0]()


def items(files):
    if Nautilus.API == 4:
        return provider.get_file_items(files)
    return provider.get_file_items(object(), files)


one = items([Nautilus.FileInfo(sys.argv[2])])
two = items([Nautilus.FileInfo(sys.argv[2]), Nautilus.FileInfo("/etc/hostname")])
print(json.dumps({"labels": [i.properties["label"] for i in one], "two": len(two)}))
one[0].activate()
`;

async function stubs(version: 3 | 4): Promise<string> {
  const root = await makeTempDir(`st-gi${version}-`);
  await mkdir(join(root, 'gi', 'repository'), { recursive: true });
  await writeFile(join(root, 'gi', '__init__.py'), '');
  await writeFile(join(root, 'gi', 'repository', '__init__.py'), '');
  await writeFile(join(root, 'gi', 'repository', 'GObject.py'), GOBJECT);
  await writeFile(join(root, 'gi', 'repository', 'Nautilus.py'), nautilusModule(version));
  await writeFile(join(root, 'harness.py'), HARNESS);
  return root;
}

describe('the Nautilus extension', () => {
  for (const version of [4, 3] as const) {
    it(`offers "Restore Previous Versions…" for one file and starts the app (nautilus-python ${version})`, async () => {
      const root = await stubs(version);
      const recorder = await makeArgvRecorder(await makeTempDir('st-fm app-'));
      const extension = join(root, 'snaptray-restore-versions.py');
      await writeFile(extension, nautilusExtension([recorder.program]).text);
      const folder = await makeTempDir('st-fm-files-');
      const file = join(folder, `it's "quoted" $HOME \`date\` \\ 100%\n two.txt`);
      await writeFile(file, 'v1');

      const run = await runProgram(PYTHON, [join(root, 'harness.py'), extension, file], {
        env: { PATH: '/usr/bin:/bin', PYTHONPATH: root },
      });
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({ labels: ['Restore Previous Versions…'], two: 0 });
      expect(await recorder.argv()).toEqual(['--browse', file]);
    });
  }
});

describe('finding nautilus-python', () => {
  it("finds Debian's loader under the multiarch folder, and nothing where it is missing", async () => {
    const root = await makeTempDir('st-usrlib-');
    expect(await findNautilusPython([root])).toBeNull();
    const folder = join(root, 'x86_64-linux-gnu', 'nautilus', 'extensions-4');
    await mkdir(folder, { recursive: true });
    expect(await findNautilusPython([root])).toBeNull();
    await writeFile(join(folder, 'libnautilus-python.so'), '');
    expect(await findNautilusPython([root])).toBe(join(folder, 'libnautilus-python.so'));
  });
});
