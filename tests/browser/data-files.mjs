// Helpers for the tests of problem=data in the page (data.test.mjs on the threaded build, data-serial.test.mjs
// on the serial one): files picked, dropped or made in the page, the hostile files' list, and the page's data.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { FIXTURES } from './harness.mjs';

export const fixture = name => join(FIXTURES, name);
export const sha256Of = bytes => createHash('sha256').update(bytes).digest('hex');
export const sha256 = path => sha256Of(readFileSync(path));

/** A small file that every hostile file's link can read: its fourth column is named `price`, and two classes. */
export const GOOD = Buffer.from('a,b,c,price\n1,2,3,0\n4,5,6,1\n7,8,9,0\n2,5,7,1\n3,1,4,1\n');

/** Waits until the page's data is in `state` ('ready', 'missing', 'none', …) and returns the page's status. */
export async function dataState(page, state, timeout = 30_000) {
  await page.waitForFunction(s => window.dynabatch.status().data?.state === s, state, { timeout, polling: 50 });
  return page.evaluate(() => window.dynabatch.status());
}

/** Picks a file with the panel's file input, as a user does with the file dialog. */
export const upload = (page, path) => page.setInputFiles('#data-input', path);

/** Drops a file on the page (on `target`, the body by default) as a browser does: dragenter, dragover and drop,
 *  each carrying a DataTransfer that holds the file. */
export async function drop(page, name, bytes, target = 'body') {
  await page.evaluate(({ name, base64, target }) => {
    const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], name));
    const element = document.querySelector(target);
    for (const type of ['dragenter', 'dragover', 'drop']) {
      element.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
    }
  }, { name, base64: Buffer.from(bytes).toString('base64'), target });
}

export const dropFixture = (page, path, target) => drop(page, basename(path), readFileSync(path), target);

/** Drops a file made in the page: `head`, then `count` copies of `line` (large files, without sending them over
 *  the wire). */
export async function dropMade(page, name, head, line, count) {
  await page.evaluate(({ name, head, line, count }) => {
    const block = line.repeat(Math.max(1, Math.floor((1 << 20) / line.length)));
    const parts = [head];
    let left = count;
    const perBlock = block.length / line.length;
    while (left >= perBlock) { parts.push(block); left -= perBlock; }
    parts.push(line.repeat(left));
    const transfer = new DataTransfer();
    transfer.items.add(new File(parts, name));
    for (const type of ['dragover', 'drop']) {
      document.body.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
    }
  }, { name, head, line, count });
}

/** tests/fixtures/hostile/expected.tsv: `{ file, link, cli, says }` for each file. */
export function hostileFiles() {
  return readFileSync(join(FIXTURES, 'hostile', 'expected.tsv'), 'utf8').split('\n')
    .filter(line => line.trim() && !line.startsWith('#'))
    .map(line => {
      const [file, link, cli, says] = line.split('\t');
      return { file, path: join(FIXTURES, 'hostile', file), link, cli, says };
    });
}

/** The page's notices, as one text. */
export const noticesOf = page => page.evaluate(() => window.dynabatch.status().notices.join('\n'));

/** Waits for a notice that contains `text`, and returns every notice. */
export async function noticeWith(page, text, timeout = 30_000) {
  await page.waitForFunction(t => window.dynabatch.status().notices.some(n => n.includes(t)), text,
    { timeout, polling: 50 });
  return noticesOf(page);
}
