import { policy } from '../../policy/catalog/define.ts';

/** Runs the parent scope's policies for this section at this point. */
export const schema = policy({
  name: 'base',
  summary: "Run the parent scope's policies for this section here.",
  sections: ['inbound', 'backend', 'outbound', 'on-error'],
});
