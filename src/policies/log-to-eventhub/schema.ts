import { allSections, policy, stringAttr, text } from '../../policy/catalog/define.ts';

/** Atrium's meaning: writes the message to the logger resource's sink (HTTP endpoint or file). */
export const schema = policy({
  name: 'log-to-eventhub',
  summary: 'Write a message to a logger resource.',
  sections: allSections,
  note: "In Atrium the logger resource names a log sink (an HTTP endpoint or a file) rather than an Event Hub.",
  attributes: [stringAttr('logger-id', { required: true, expressions: false }), stringAttr('partition-id'), stringAttr('partition-key')],
  exclusive: [{ names: ['partition-id', 'partition-key'] }],
  content: text({ required: true }),
});
