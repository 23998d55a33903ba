/**
 * Outlook .msg files (MS-OXMSG): read a compound file into a message object and write one back.
 * Browser-safe: no Node built-ins.
 */
export { readMsg, type ReadMsgLimits, type ReadMsgOptions, type ReadMsgResult } from './read.js';
export { writeMsg, type WriteMsgOptions } from './write.js';
export { decompressRtf, deencapsulateHtml, isEncapsulatedHtml } from './rtf.js';
