/**
 * The preset dictionary of the account memory's format 1 (see packMemory in
 * dynamodb-account-store.ts): strings most memories contain (reason texts, field layout, shard
 * watermarks), so that deflate need not spell them out in every item. It cut the mean memory by
 * about a fifth on the simulator's default mix.
 *
 * NEVER EDIT: every item written in format 1 needs exactly these bytes to be read back (a test pins
 * their hash). Signal texts may change freely; the dictionary only makes them cheaper. A better
 * dictionary is a new format number with its own constant, and the reader keeps this one.
 */
export const MEMORY_DICTIONARY_V1: Buffer = Buffer.from(
  [
    '{"signal":"releaseChasing","value":0.5,"threshold":0.3,"saturation":0.9,"points":4.2,"text":"42% of requests went to a model within hours of its release"}',
    '{"signal":"timingRegularity","value":0.5,"threshold":0.3,"saturation":0.9,"points":4.2,"text":"gaps between requests vary by only 0.42 of their mean: a clockwork schedule"}',
    '{"signal":"velocity","value":0.5,"threshold":0.3,"saturation":0.9,"points":4.2,"text":"0.4x the tier\'s normal hourly rate in its busiest hour"}',
    '{"signal":"volume","value":0.5,"threshold":0.3,"saturation":0.9,"points":4.2,"text":"0.4x the tier\'s normal request volume"}',
    '{"signal":"templateReuse","value":0.5,"threshold":0.3,"saturation":0.9,"points":4.2,"text":"42% of conversation openers reuse one of the account\'s prompt templates"}',
    '{"signal":"noDiurnalRest","value":0.5,"threshold":0.3,"saturation":0.9,"points":4.2,"text":"requests in 42% of the hours it was active across: no diurnal rest"}',
    '{"signal":"outputInputRatio","value":0.5,"threshold":0.3,"saturation":0.9,"points":4.2,"text":"0.4 output tokens per input token"}',
    '{"signal":"singleTurnShare","value":0.5,"threshold":0.3,"saturation":0.9,"points":4.2,"text":"42% of conversations end after their first request"}',
    '{"signal":"topicCoverage","value":0.5,"threshold":0.3,"saturation":0.9,"points":4.2,"text":"42% of requests move to a topic not asked about earlier in the window"}',
    '{"signal":"reasoningElicitation","value":0.5,"threshold":0.3,"saturation":0.9,"points":4.2,"text":"42% of requests elicit chain-of-thought reasoning"}',
    '{"signal":"capabilityConcentration","value":0.5,"threshold":0.3,"saturation":0.9,"points":4.2,"text":"42% of requests target reasoning, coding or agentic capabilities"}',
    '{"signal":"accountAge","value":0.5,"threshold":0.3,"saturation":0.9,"points":4.2,"text":"first request 0.4 days after the account was created"}',
    '{"shardId-000000000000":"49000000000000000000","shardId-000000000001":"49000000000000000000"}',
    '"free","pro","team","enterprise",null,null,null,"2026-01-01T00:00:00.000Z","2026-01-01T00:00:00.000Z",0,0,null,null,null]',
    '[[491000,1,1,1,100,1000,1,0,1,100,10000,1,1],[491000,1,0,0,1000,1000,1,1]]","',
  ].join(''),
);
