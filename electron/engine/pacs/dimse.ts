import dimse from 'dcmjs-dimse';

/**
 * dcmjs-dimse (DIMSE services, PS3.7) as one import. Its own logging is silenced: every failure
 * reaches the caller as a named error instead.
 */
dimse.log.setLevel('silent');

export const { Client, Dataset } = dimse;
export const { CEchoRequest, CFindRequest, CGetRequest, CStoreRequest } = dimse.requests;
export const { CStoreResponse } = dimse.responses;
export const { Status } = dimse.constants;
export type DimseRequest = InstanceType<typeof dimse.requests.Request>;
export type DimseCStoreRequest = InstanceType<typeof dimse.requests.CStoreRequest>;
export type DimseCStoreResponse = InstanceType<typeof dimse.responses.CStoreResponse>;
export type DimseDataset = InstanceType<typeof dimse.Dataset>;
