import type { PolicyFactory } from '../policy/runtime/types.ts';
import { runtime as authenticationBasic } from './authentication-basic/index.ts';
import { runtime as base } from './base/index.ts';
import { runtime as cacheLookupValue } from './cache-lookup-value/index.ts';
import { runtime as cacheLookup } from './cache-lookup/index.ts';
import { runtime as cacheRemoveValue } from './cache-remove-value/index.ts';
import { runtime as cacheStoreValue } from './cache-store-value/index.ts';
import { runtime as cacheStore } from './cache-store/index.ts';
import { runtime as checkHeader } from './check-header/index.ts';
import { runtime as choose } from './choose/index.ts';
import { runtime as cors } from './cors/index.ts';
import { runtime as emitMetric } from './emit-metric/index.ts';
import { runtime as findAndReplace } from './find-and-replace/index.ts';
import { runtime as forwardRequest } from './forward-request/index.ts';
import { runtime as includeFragment } from './include-fragment/index.ts';
import { runtime as ipFilter } from './ip-filter/index.ts';
import { runtime as jsonToXml } from './json-to-xml/index.ts';
import { runtime as jsonp } from './jsonp/index.ts';
import { runtime as limitConcurrency } from './limit-concurrency/index.ts';
import { runtime as logToEventhub } from './log-to-eventhub/index.ts';
import { runtime as mockResponse } from './mock-response/index.ts';
import { runtime as quotaByKey } from './quota-by-key/index.ts';
import { runtime as quota } from './quota/index.ts';
import { runtime as rateLimitByKey } from './rate-limit-by-key/index.ts';
import { runtime as rateLimit } from './rate-limit/index.ts';
import { runtime as redirectContentUrls } from './redirect-content-urls/index.ts';
import { runtime as retry } from './retry/index.ts';
import { runtime as returnResponse } from './return-response/index.ts';
import { runtime as rewriteUri } from './rewrite-uri/index.ts';
import { runtime as sendOneWayRequest } from './send-one-way-request/index.ts';
import { runtime as sendRequest } from './send-request/index.ts';
import { runtime as setBackendService } from './set-backend-service/index.ts';
import { runtime as setBody } from './set-body/index.ts';
import { runtime as setHeader } from './set-header/index.ts';
import { runtime as setMethod } from './set-method/index.ts';
import { runtime as setQueryParameter } from './set-query-parameter/index.ts';
import { runtime as setStatus } from './set-status/index.ts';
import { runtime as setVariable } from './set-variable/index.ts';
import { runtime as trace } from './trace/index.ts';
import { runtime as validateContent } from './validate-content/index.ts';
import { runtime as validateHeaders } from './validate-headers/index.ts';
import { runtime as validateJwt } from './validate-jwt/index.ts';
import { runtime as validateParameters } from './validate-parameters/index.ts';
import { runtime as validateStatusCode } from './validate-status-code/index.ts';
import { runtime as wait } from './wait/index.ts';
import { runtime as xmlToJson } from './xml-to-json/index.ts';

/**
 * The runtime of each policy Atrium runs, by XML name: one line per policy, next to its schema
 * line in registry.ts. A supported policy of the catalog without a line here does not compile
 * (runtimes.test.ts keeps the two lists in step).
 */
export const policyRuntimes: ReadonlyMap<string, PolicyFactory> = new Map<string, PolicyFactory>([
  ['authentication-basic', authenticationBasic],
  ['base', base],
  ['cache-lookup-value', cacheLookupValue],
  ['cache-lookup', cacheLookup],
  ['cache-remove-value', cacheRemoveValue],
  ['cache-store-value', cacheStoreValue],
  ['cache-store', cacheStore],
  ['check-header', checkHeader],
  ['choose', choose],
  ['cors', cors],
  ['emit-metric', emitMetric],
  ['find-and-replace', findAndReplace],
  ['forward-request', forwardRequest],
  ['include-fragment', includeFragment],
  ['ip-filter', ipFilter],
  ['json-to-xml', jsonToXml],
  ['jsonp', jsonp],
  ['limit-concurrency', limitConcurrency],
  ['log-to-eventhub', logToEventhub],
  ['mock-response', mockResponse],
  ['quota-by-key', quotaByKey],
  ['quota', quota],
  ['rate-limit-by-key', rateLimitByKey],
  ['rate-limit', rateLimit],
  ['redirect-content-urls', redirectContentUrls],
  ['retry', retry],
  ['return-response', returnResponse],
  ['rewrite-uri', rewriteUri],
  ['send-one-way-request', sendOneWayRequest],
  ['send-request', sendRequest],
  ['set-backend-service', setBackendService],
  ['set-body', setBody],
  ['set-header', setHeader],
  ['set-method', setMethod],
  ['set-query-parameter', setQueryParameter],
  ['set-status', setStatus],
  ['set-variable', setVariable],
  ['trace', trace],
  ['validate-content', validateContent],
  ['validate-headers', validateHeaders],
  ['validate-jwt', validateJwt],
  ['validate-parameters', validateParameters],
  ['validate-status-code', validateStatusCode],
  ['wait', wait],
  ['xml-to-json', xmlToJson],
]);
