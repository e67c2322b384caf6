// The shell's command table: name → implementation. Adding a command is one entry here plus its
// implementation in the file of the tool family it imitates (kmod, coreutils, util-linux, procps).

import type { Command } from '../shell';
import { insmodCommand, lsmodCommand, modinfoCommand, rmmodCommand } from './kmod';
import { catCommand, cdCommand, echoCommand, grepCommand, headCommand, lsCommand, mknodCommand, pwdCommand, tailCommand, teeCommand } from './files';
import { dmesgCommand, falseCommand, freeCommand, helpCommand, sleepCommand, trueCommand, unameCommand } from './system';

export const COMMANDS: ReadonlyMap<string, Command> = new Map<string, Command>([
  ['insmod', insmodCommand],
  ['rmmod', rmmodCommand],
  ['lsmod', lsmodCommand],
  ['modinfo', modinfoCommand],
  ['dmesg', dmesgCommand],
  ['cat', catCommand],
  ['head', headCommand],
  ['tail', tailCommand],
  ['tee', teeCommand],
  ['grep', grepCommand],
  ['echo', echoCommand],
  ['ls', lsCommand],
  ['cd', cdCommand],
  ['pwd', pwdCommand],
  ['mknod', mknodCommand],
  ['free', freeCommand],
  ['sleep', sleepCommand],
  ['uname', unameCommand],
  ['true', trueCommand],
  [':', trueCommand],
  ['false', falseCommand],
  ['help', helpCommand],
]);
