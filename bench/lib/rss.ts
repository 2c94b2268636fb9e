/** Resident memory of a process from /proc (Linux), and the process a launcher (tsx) started under it. */
import { readdir, readFile } from 'node:fs/promises';

export async function rssKiB(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined; // the process has ended
  }
}

/** Child pids of `pid`, from each process's stat line (field 4 is the parent pid). */
export async function childrenOf(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // The command name (field 2) is in parentheses and may hold spaces: read after the last ')'.
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) children.push(Number(entry));
    } catch {
      // gone between readdir and readFile
    }
  }
  return children;
}

/**
 * The node process that does the work behind a launcher (tsx): the deepest node process down a chain of single
 * node children. Children that are not node (a compiler service, say) are not the work.
 */
export async function workingProcess(pid: number): Promise<number> {
  let current = pid;
  for (let depth = 0; depth < 4; depth++) {
    const children = [];
    for (const child of await childrenOf(current)) if (await isNode(child)) children.push(child);
    if (children.length !== 1) break;
    current = children[0]!;
  }
  return current;
}

async function isNode(pid: number): Promise<boolean> {
  try {
    return (await readFile(`/proc/${pid}/comm`, 'utf8')).trim().startsWith('node');
  } catch {
    return false;
  }
}
