/**
 * The shapes the definition layer reads and writes: Azure API Management's REST property
 * contracts (ApiContractProperties, OperationContractProperties, SchemaContractProperties,
 * TagContractProperties), as plain data. The management plane stores them as they are.
 */

export interface ExampleContract {
  summary?: string;
  description?: string;
  value?: unknown;
  externalValue?: string;
}

/** A template, query, header or form parameter (Azure's ParameterContract). */
export interface ParameterContract {
  name: string;
  type: string;
  description?: string;
  defaultValue?: string;
  required?: boolean;
  values?: string[];
  schemaId?: string;
  typeName?: string;
  examples?: Record<string, ExampleContract>;
}

/** One content type of a request or response (Azure's RepresentationContract). */
export interface RepresentationContract {
  contentType: string;
  schemaId?: string;
  typeName?: string;
  formParameters?: ParameterContract[];
  examples?: Record<string, ExampleContract>;
}

export interface RequestContract {
  description?: string;
  queryParameters?: ParameterContract[];
  headers?: ParameterContract[];
  representations?: RepresentationContract[];
}

export interface ResponseContract {
  statusCode: number;
  description?: string;
  representations?: RepresentationContract[];
  headers?: ParameterContract[];
}

export interface OperationProperties {
  displayName: string;
  method: string;
  urlTemplate: string;
  templateParameters?: ParameterContract[];
  description?: string;
  request?: RequestContract;
  responses?: ResponseContract[];
  policies?: string;
}

export interface OperationResource {
  name: string;
  properties: OperationProperties;
}

export const OPENAPI_COMPONENTS_CONTENT_TYPE = 'application/vnd.oai.openapi.components+json';
export const SWAGGER_DEFINITIONS_CONTENT_TYPE = 'application/vnd.ms-azure-apim.swagger.definitions+json';

export interface SchemaProperties {
  contentType: string;
  document?: {
    value?: string;
    /** Swagger 2.0: type name → JSON schema; `$ref`s point at `#/definitions/…`. */
    definitions?: Record<string, unknown>;
    /** OpenAPI 3: `{ schemas: { name → schema } }`; `$ref`s point at `#/components/schemas/…`. */
    components?: Record<string, unknown>;
  };
}

export interface SchemaResource {
  name: string;
  properties: SchemaProperties;
}

/** The API properties an import sets (a subset of Azure's ApiContractProperties). */
export interface ApiProperties {
  displayName?: string;
  description?: string;
  serviceUrl?: string;
  path?: string;
  protocols?: string[];
  apiVersion?: string;
  contact?: { name?: string; url?: string; email?: string };
  license?: { name?: string; url?: string };
  termsOfServiceUrl?: string;
  [key: string]: unknown;
}

/** A tag (Azure's TagContract) with the operations an import links to it. */
export interface TagImport {
  name: string;
  properties: { displayName: string };
  /** The tag's description in the definition (Azure's tag resource has none; kept for export). */
  description?: string;
  /** Names of the imported operations that carry this tag. */
  operations: string[];
}
