/** The message object model (MS-OXCMSG, MS-OXPROPS): tags, named properties, property bags, JSON form. */
export * from './proptypes.js';
export * from './tags.js';
export * from './named.js';
export * from './time.js';
export * from './message.js';
export * from './json.js';
