/// The OpenAPI 3.1 description of every endpoint in `docs/api.md`, served at `GET /openapi.json`.
///
/// Kept as Swift source rather than a resource so the server needs no bundle; `OpenAPITests` checks
/// real responses against it, so a change to the API that is not made here fails the suite.
public enum OpenAPIDocument {
    /// The document as JSON text.
    public static let json: String = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "Clutch",
    "version": "0.1.0",
    "description": "Self-hosted feature flags: admin API, SDK sync and the OpenFeature Remote Evaluation Protocol (OFREP). Responses are JSON with sorted keys.",
    "license": {
      "name": "Apache-2.0",
      "identifier": "Apache-2.0"
    }
  },
  "servers": [
    {
      "url": "http://127.0.0.1:8080"
    }
  ],
  "tags": [
    {
      "name": "flags"
    },
    {
      "name": "revisions"
    },
    {
      "name": "cohorts"
    },
    {
      "name": "environments"
    },
    {
      "name": "keys"
    },
    {
      "name": "audit"
    },
    {
      "name": "status"
    },
    {
      "name": "explain"
    },
    {
      "name": "export"
    },
    {
      "name": "sdk"
    },
    {
      "name": "ofrep"
    },
    {
      "name": "operations"
    }
  ],
  "paths": {
    "/api/v1/environments": {
      "get": {
        "operationId": "listEnvironments",
        "summary": "List environments",
        "tags": [
          "environments"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/EnvironmentList"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        }
      },
      "post": {
        "operationId": "createEnvironment",
        "summary": "Create an environment",
        "tags": [
          "environments"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "201": {
            "description": "Created.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Environment"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          }
        },
        "parameters": [
          {
            "$ref": "#/components/parameters/Message"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/EnvironmentCreate"
              }
            }
          }
        }
      }
    },
    "/api/v1/flags": {
      "get": {
        "operationId": "listFlags",
        "summary": "List flags, sorted by key",
        "tags": [
          "flags"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/FlagList"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        },
        "parameters": [
          {
            "name": "archived",
            "in": "query",
            "required": false,
            "schema": {
              "type": "boolean"
            },
            "description": "List archived flags instead."
          }
        ]
      },
      "post": {
        "operationId": "createFlag",
        "summary": "Create a flag; environments not given are off",
        "tags": [
          "flags"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "201": {
            "description": "Created.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/FlagRecord"
                }
              }
            },
            "headers": {
              "ETag": {
                "description": "The flag's revision, quoted: `\"7\"`.",
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          }
        },
        "parameters": [
          {
            "$ref": "#/components/parameters/Message"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/Flag"
              }
            }
          }
        }
      }
    },
    "/api/v1/flags/stale": {
      "get": {
        "operationId": "listStaleFlags",
        "summary": "Flags never evaluated or fully rolled out",
        "tags": [
          "flags"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/StaleFlagList"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        },
        "parameters": [
          {
            "name": "days",
            "in": "query",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 36500,
              "default": 30
            }
          }
        ]
      }
    },
    "/api/v1/flags/{key}": {
      "parameters": [
        {
          "$ref": "#/components/parameters/FlagKey"
        }
      ],
      "get": {
        "operationId": "getFlag",
        "summary": "Get a flag",
        "tags": [
          "flags"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "200": {
            "description": "The flag record.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/FlagRecord"
                }
              }
            },
            "headers": {
              "ETag": {
                "description": "The flag's revision, quoted: `\"7\"`.",
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        }
      },
      "put": {
        "operationId": "replaceFlag",
        "summary": "Replace a flag (same key)",
        "tags": [
          "flags"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "200": {
            "description": "The flag record.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/FlagRecord"
                }
              }
            },
            "headers": {
              "ETag": {
                "description": "The flag's revision, quoted: `\"7\"`.",
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          }
        },
        "parameters": [
          {
            "$ref": "#/components/parameters/IfMatch"
          },
          {
            "$ref": "#/components/parameters/Message"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/Flag"
              }
            }
          }
        }
      },
      "delete": {
        "operationId": "deleteFlag",
        "summary": "Delete a flag; history is kept",
        "description": "A flag that is on in any environment, or was evaluated in the last 7 days, is refused with 409 (field `force`) saying how to proceed: turn it off and archive it, or pass `force=true`. `POST …/restore` brings a deleted flag back.",
        "tags": [
          "flags"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "204": {
            "description": "Deleted."
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          }
        },
        "parameters": [
          {
            "name": "force",
            "in": "query",
            "required": false,
            "description": "Delete even a flag that is on or was evaluated in the last 7 days.",
            "schema": {
              "type": "boolean"
            }
          },
          {
            "$ref": "#/components/parameters/IfMatch"
          },
          {
            "$ref": "#/components/parameters/Message"
          }
        ]
      }
    },
    "/api/v1/flags/{key}/restore": {
      "parameters": [
        {
          "$ref": "#/components/parameters/FlagKey"
        }
      ],
      "post": {
        "operationId": "restoreFlag",
        "summary": "Restore a deleted flag from its history",
        "description": "Recreates the flag as its last revision before the deletion recorded it, states included, as a new revision of the same history (`restore`). Environments created since get it off.",
        "tags": [
          "flags"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "201": {
            "description": "The restored flag record.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/FlagRecord"
                }
              }
            },
            "headers": {
              "ETag": {
                "description": "The flag's revision, quoted.",
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          }
        },
        "parameters": [
          {
            "$ref": "#/components/parameters/Message"
          }
        ]
      }
    },
    "/api/v1/flags/{key}/archive": {
      "parameters": [
        {
          "$ref": "#/components/parameters/FlagKey"
        }
      ],
      "post": {
        "operationId": "archiveFlag",
        "summary": "Archive a flag",
        "tags": [
          "flags"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "200": {
            "description": "The flag record.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/FlagRecord"
                }
              }
            },
            "headers": {
              "ETag": {
                "description": "The flag's revision, quoted: `\"7\"`.",
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          }
        },
        "parameters": [
          {
            "$ref": "#/components/parameters/IfMatch"
          },
          {
            "$ref": "#/components/parameters/Message"
          }
        ]
      }
    },
    "/api/v1/flags/{key}/unarchive": {
      "parameters": [
        {
          "$ref": "#/components/parameters/FlagKey"
        }
      ],
      "post": {
        "operationId": "unarchiveFlag",
        "summary": "Unarchive a flag",
        "tags": [
          "flags"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "200": {
            "description": "The flag record.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/FlagRecord"
                }
              }
            },
            "headers": {
              "ETag": {
                "description": "The flag's revision, quoted: `\"7\"`.",
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          }
        },
        "parameters": [
          {
            "$ref": "#/components/parameters/IfMatch"
          },
          {
            "$ref": "#/components/parameters/Message"
          }
        ]
      }
    },
    "/api/v1/flags/{key}/environments/{env}": {
      "parameters": [
        {
          "$ref": "#/components/parameters/FlagKey"
        },
        {
          "$ref": "#/components/parameters/Environment"
        }
      ],
      "put": {
        "operationId": "setFlagState",
        "summary": "Set a flag's state in an environment",
        "tags": [
          "flags"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "200": {
            "description": "The flag record.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/FlagRecord"
                }
              }
            },
            "headers": {
              "ETag": {
                "description": "The flag's revision, quoted: `\"7\"`.",
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          }
        },
        "parameters": [
          {
            "$ref": "#/components/parameters/IfMatch"
          },
          {
            "$ref": "#/components/parameters/Message"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/FlagState"
              }
            }
          }
        }
      }
    },
    "/api/v1/flags/{key}/environments/{env}/changes": {
      "parameters": [
        {
          "$ref": "#/components/parameters/FlagKey"
        },
        {
          "$ref": "#/components/parameters/Environment"
        }
      ],
      "post": {
        "operationId": "changeFlag",
        "summary": "Apply instructions to a flag's state in an environment",
        "description": "Applies every instruction in order, in one transaction, against the flag as it is when the change commits: one revision, one audit event, one stream event. All or nothing: a bad instruction is refused naming its index and field (`instructions[2].values`). Without `If-Match`, independent edits by others are kept (two callers adding different customers both succeed). `?dryRun=true` answers the record as it would be and the diff, writing nothing.",
        "tags": [
          "flags"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "200": {
            "description": "The flag record after the change; with `dryRun`, `{\"dryRun\": true, \"record\", \"diff\"}`.",
            "content": {
              "application/json": {
                "schema": {
                  "oneOf": [
                    {
                      "$ref": "#/components/schemas/FlagRecord"
                    },
                    {
                      "$ref": "#/components/schemas/ChangesDryRun"
                    }
                  ]
                }
              }
            },
            "headers": {
              "ETag": {
                "description": "The flag's revision, quoted: `\"7\"`; on a dry run, the revision the preview was made on (send it as `If-Match` to apply exactly what was shown).",
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          }
        },
        "parameters": [
          {
            "$ref": "#/components/parameters/IfMatch"
          },
          {
            "$ref": "#/components/parameters/Message"
          },
          {
            "name": "dryRun",
            "in": "query",
            "required": false,
            "description": "Answer the record as it would be and the diff; write nothing.",
            "schema": {
              "type": "boolean"
            }
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "instructions": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                      "$ref": "#/components/schemas/Instruction"
                    }
                  },
                  "message": {
                    "type": "string",
                    "description": "Recorded with the revision (instead of the X-Clutch-Message header)."
                  }
                },
                "required": [
                  "instructions"
                ],
                "additionalProperties": false
              }
            }
          }
        }
      }
    },
    "/api/v1/flags/{key}/environments/{env}/on": {
      "parameters": [
        {
          "$ref": "#/components/parameters/FlagKey"
        },
        {
          "$ref": "#/components/parameters/Environment"
        }
      ],
      "post": {
        "operationId": "enableFlag",
        "summary": "Switch a flag on in an environment (a no-op makes no revision)",
        "tags": [
          "flags"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "200": {
            "description": "The flag record.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/FlagRecord"
                }
              }
            },
            "headers": {
              "ETag": {
                "description": "The flag's revision, quoted: `\"7\"`.",
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          }
        },
        "parameters": [
          {
            "$ref": "#/components/parameters/IfMatch"
          },
          {
            "$ref": "#/components/parameters/Message"
          }
        ]
      }
    },
    "/api/v1/flags/{key}/environments/{env}/off": {
      "parameters": [
        {
          "$ref": "#/components/parameters/FlagKey"
        },
        {
          "$ref": "#/components/parameters/Environment"
        }
      ],
      "post": {
        "operationId": "disableFlag",
        "summary": "Switch a flag off in an environment (a no-op makes no revision)",
        "tags": [
          "flags"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "200": {
            "description": "The flag record.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/FlagRecord"
                }
              }
            },
            "headers": {
              "ETag": {
                "description": "The flag's revision, quoted: `\"7\"`.",
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          }
        },
        "parameters": [
          {
            "$ref": "#/components/parameters/IfMatch"
          },
          {
            "$ref": "#/components/parameters/Message"
          }
        ]
      }
    },
    "/api/v1/flags/{key}/kill": {
      "parameters": [
        {
          "$ref": "#/components/parameters/FlagKey"
        }
      ],
      "post": {
        "operationId": "killFlag",
        "summary": "Switch a flag off in the given (default: every) environment as one change",
        "tags": [
          "flags"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/KillResult"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          }
        },
        "parameters": [
          {
            "$ref": "#/components/parameters/IfMatch"
          },
          {
            "$ref": "#/components/parameters/Message"
          }
        ],
        "requestBody": {
          "required": false,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/KillRequest"
              }
            }
          }
        }
      }
    },
    "/api/v1/flags/{key}/revisions": {
      "parameters": [
        {
          "$ref": "#/components/parameters/FlagKey"
        }
      ],
      "get": {
        "operationId": "listRevisions",
        "summary": "A flag's revisions, newest first",
        "tags": [
          "revisions"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/RevisionList"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "parameters": [
          {
            "name": "environment",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Only revisions that changed this environment's state or the flag itself."
          }
        ]
      }
    },
    "/api/v1/flags/{key}/revisions/{n}": {
      "parameters": [
        {
          "$ref": "#/components/parameters/FlagKey"
        },
        {
          "name": "n",
          "in": "path",
          "required": true,
          "schema": {
            "type": "integer",
            "minimum": 1
          }
        }
      ],
      "get": {
        "operationId": "getRevision",
        "summary": "One revision",
        "tags": [
          "revisions"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Revision"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        }
      }
    },
    "/api/v1/flags/{key}/diff": {
      "parameters": [
        {
          "$ref": "#/components/parameters/FlagKey"
        }
      ],
      "get": {
        "operationId": "diffRevisions",
        "summary": "Differences between two revisions",
        "tags": [
          "revisions"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Diff"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "parameters": [
          {
            "name": "from",
            "in": "query",
            "required": true,
            "schema": {
              "type": "integer"
            }
          },
          {
            "name": "to",
            "in": "query",
            "required": false,
            "schema": {
              "type": "integer"
            },
            "description": "Defaults to the latest."
          }
        ]
      }
    },
    "/api/v1/flags/{key}/rollback": {
      "parameters": [
        {
          "$ref": "#/components/parameters/FlagKey"
        }
      ],
      "post": {
        "operationId": "rollbackFlag",
        "summary": "Restore an earlier revision (or one environment's state of it) as a new revision",
        "tags": [
          "revisions"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "200": {
            "description": "The flag record after the rollback.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/FlagRecord"
                }
              }
            },
            "headers": {
              "ETag": {
                "description": "The flag's revision, quoted: `\"7\"`.",
                "schema": {
                  "type": "string"
                }
              },
              "X-Clutch-Restored": {
                "description": "The revision that was restored.",
                "schema": {
                  "type": "integer"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          }
        },
        "parameters": [
          {
            "$ref": "#/components/parameters/IfMatch"
          },
          {
            "$ref": "#/components/parameters/Message"
          }
        ],
        "requestBody": {
          "required": false,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/RollbackRequest"
              }
            }
          }
        }
      }
    },
    "/api/v1/environments/{env}/cohorts": {
      "parameters": [
        {
          "$ref": "#/components/parameters/Environment"
        }
      ],
      "get": {
        "operationId": "listCohorts",
        "summary": "An environment's cohorts",
        "tags": [
          "cohorts"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/CohortList"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        }
      },
      "post": {
        "operationId": "createCohort",
        "summary": "Create a cohort",
        "tags": [
          "cohorts"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "201": {
            "description": "Created.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/CohortRecord"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          }
        },
        "parameters": [
          {
            "$ref": "#/components/parameters/Message"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/Cohort"
              }
            }
          }
        }
      }
    },
    "/api/v1/environments/{env}/cohorts/{cohortKey}": {
      "parameters": [
        {
          "$ref": "#/components/parameters/Environment"
        },
        {
          "$ref": "#/components/parameters/CohortKey"
        }
      ],
      "get": {
        "operationId": "getCohort",
        "summary": "Get a cohort",
        "tags": [
          "cohorts"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/CohortRecord"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        }
      },
      "put": {
        "operationId": "replaceCohort",
        "summary": "Replace a cohort (same key)",
        "tags": [
          "cohorts"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/CohortRecord"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          }
        },
        "parameters": [
          {
            "$ref": "#/components/parameters/IfMatch"
          },
          {
            "$ref": "#/components/parameters/Message"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/Cohort"
              }
            }
          }
        }
      },
      "delete": {
        "operationId": "deleteCohort",
        "summary": "Delete a cohort no flag rule names (409 names the flags otherwise)",
        "tags": [
          "cohorts"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "204": {
            "description": "Deleted."
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          }
        },
        "parameters": [
          {
            "$ref": "#/components/parameters/IfMatch"
          },
          {
            "$ref": "#/components/parameters/Message"
          }
        ]
      }
    },
    "/api/v1/environments/{env}/cohorts/{cohortKey}/members": {
      "parameters": [
        {
          "$ref": "#/components/parameters/Environment"
        },
        {
          "$ref": "#/components/parameters/CohortKey"
        }
      ],
      "post": {
        "operationId": "changeCohortMembers",
        "summary": "Add and remove members",
        "description": "Writes only the members named: the answer says which were actually added and removed, and the cohort's size after the change, never its whole member list. A change that changes nothing writes no revision. Streams receive one `cohort-members` event.",
        "tags": [
          "cohorts"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/MembershipResult"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          }
        },
        "parameters": [
          {
            "$ref": "#/components/parameters/IfMatch"
          },
          {
            "$ref": "#/components/parameters/Message"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/CohortMembersChange"
              }
            }
          }
        }
      }
    },
    "/api/v1/environments/{env}/keys": {
      "parameters": [
        {
          "$ref": "#/components/parameters/Environment"
        }
      ],
      "post": {
        "operationId": "createSDKKey",
        "summary": "Create an SDK key for an environment (the key is shown only here)",
        "tags": [
          "keys"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "201": {
            "description": "Created.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/SDKKeyCreated"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          }
        },
        "parameters": [
          {
            "$ref": "#/components/parameters/Message"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/SDKKeyCreate"
              }
            }
          }
        }
      }
    },
    "/api/v1/keys": {
      "get": {
        "operationId": "listSDKKeys",
        "summary": "List SDK keys (never the key itself)",
        "tags": [
          "keys"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/SDKKeyList"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        }
      }
    },
    "/api/v1/keys/{id}": {
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string"
          }
        }
      ],
      "delete": {
        "operationId": "revokeSDKKey",
        "summary": "Revoke an SDK key at once (its open streams are closed)",
        "tags": [
          "keys"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "204": {
            "description": "Revoked."
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "parameters": [
          {
            "$ref": "#/components/parameters/Message"
          }
        ]
      }
    },
    "/api/v1/audit": {
      "get": {
        "operationId": "listAuditEvents",
        "summary": "The audit log, newest first",
        "tags": [
          "audit"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/AuditEventList"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        },
        "parameters": [
          {
            "name": "since",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "RFC 3339 time or a duration back from now (`1h`, `30m`, `7d`)."
          },
          {
            "name": "flag",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 1,
              "default": 100
            }
          }
        ]
      }
    },
    "/api/v1/status": {
      "get": {
        "operationId": "getStatus",
        "summary": "Version and per-environment status",
        "tags": [
          "status"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Status"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        }
      }
    },
    "/api/v1/environments/{env}/explain": {
      "parameters": [
        {
          "$ref": "#/components/parameters/Environment"
        }
      ],
      "post": {
        "operationId": "explainFlag",
        "summary": "Evaluate a flag for a context and say why",
        "tags": [
          "explain"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Explanation"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          }
        },
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ExplainRequest"
              }
            }
          }
        }
      }
    },
    "/api/v1/export": {
      "get": {
        "operationId": "exportDocument",
        "summary": "Export every flag and cohort",
        "tags": [
          "export"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "200": {
            "description": "The document.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ClutchDocument"
                }
              },
              "application/yaml": {
                "schema": {
                  "description": "The same document as YAML text."
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "parameters": [
          {
            "name": "environment",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Only this environment's state and cohorts."
          },
          {
            "name": "format",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "enum": [
                "json",
                "yaml"
              ],
              "default": "json"
            }
          }
        ]
      }
    },
    "/api/v1/import": {
      "post": {
        "operationId": "importDocument",
        "summary": "Import a document, all or nothing",
        "tags": [
          "export"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ImportResult"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          }
        },
        "parameters": [
          {
            "name": "dryRun",
            "in": "query",
            "required": false,
            "schema": {
              "type": "boolean"
            },
            "description": "Only return the changes."
          },
          {
            "$ref": "#/components/parameters/Message"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ClutchDocument"
              }
            },
            "application/yaml": {
              "schema": {
                "description": "A ClutchDocument as YAML text."
              }
            }
          }
        }
      }
    },
    "/sdk/v1/flags": {
      "get": {
        "operationId": "getSnapshot",
        "summary": "The key's environment snapshot (archived flags left out)",
        "tags": [
          "sdk"
        ],
        "security": [
          {
            "sdkKey": []
          },
          {
            "sdkApiKey": []
          }
        ],
        "responses": {
          "200": {
            "description": "The snapshot.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Snapshot"
                }
              }
            },
            "headers": {
              "ETag": {
                "description": "`\"<environment>-<version>\"`.",
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "304": {
            "description": "Not modified."
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        },
        "parameters": [
          {
            "$ref": "#/components/parameters/IfNoneMatch"
          }
        ]
      }
    },
    "/sdk/v1/stream": {
      "get": {
        "operationId": "streamChanges",
        "summary": "Server-Sent Events: the snapshot, then one event per change",
        "tags": [
          "sdk"
        ],
        "security": [
          {
            "sdkKey": []
          },
          {
            "sdkApiKey": []
          }
        ],
        "responses": {
          "200": {
            "description": "`event: snapshot` (Snapshot) first, unless `Last-Event-ID` is recent enough; then `flag` (SSEFlagEvent), `flag-deleted`, `cohort`, `cohort-deleted` (SSEDeletedEvent / SSECohortEvent), `cohort-members` (SSEMembersEvent), the last event of each version with `id: <version>`; a `: heartbeat` comment at least every 15 s.",
            "content": {
              "text/event-stream": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          }
        },
        "parameters": [
          {
            "name": "Last-Event-ID",
            "in": "header",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "The last event id received."
          }
        ]
      }
    },
    "/sdk/v1/usage": {
      "post": {
        "operationId": "reportUsage",
        "summary": "Report evaluation counts",
        "tags": [
          "sdk"
        ],
        "security": [
          {
            "sdkKey": []
          },
          {
            "sdkApiKey": []
          }
        ],
        "responses": {
          "202": {
            "description": "Stored. Entries naming a flag or variant the key's environment does not have are counted as ignored and not stored.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/UsageAnswer"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          }
        },
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/UsageReport"
              }
            }
          }
        }
      }
    },
    "/ofrep/v1/evaluate/flags/{key}": {
      "parameters": [
        {
          "$ref": "#/components/parameters/FlagKey"
        }
      ],
      "post": {
        "operationId": "ofrepEvaluateFlag",
        "summary": "OFREP: evaluate one flag",
        "tags": [
          "ofrep"
        ],
        "security": [
          {
            "sdkKey": []
          },
          {
            "sdkApiKey": []
          }
        ],
        "responses": {
          "200": {
            "description": "The evaluation.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/OFREPEvaluationSuccess"
                }
              }
            }
          },
          "400": {
            "description": "PARSE_ERROR, INVALID_CONTEXT, TARGETING_KEY_MISSING or GENERAL.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/OFREPEvaluationFailure"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/OFREPUnauthorized"
          },
          "403": {
            "$ref": "#/components/responses/OFREPForbidden"
          },
          "404": {
            "description": "FLAG_NOT_FOUND.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/OFREPEvaluationFailure"
                }
              }
            }
          },
          "500": {
            "description": "GENERAL: the environment is not loaded.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/OFREPEvaluationFailure"
                }
              }
            }
          }
        },
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/OFREPEvaluationRequest"
              }
            }
          }
        }
      }
    },
    "/ofrep/v1/evaluate/flags": {
      "post": {
        "operationId": "ofrepEvaluateFlags",
        "summary": "OFREP: evaluate every flag",
        "tags": [
          "ofrep"
        ],
        "security": [
          {
            "sdkKey": []
          },
          {
            "sdkApiKey": []
          }
        ],
        "responses": {
          "200": {
            "description": "Every flag's evaluation.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/OFREPBulkEvaluation"
                }
              }
            },
            "headers": {
              "ETag": {
                "description": "Entity tag of the response; send it back as `If-None-Match`.",
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "304": {
            "description": "Not modified."
          },
          "400": {
            "description": "The request as a whole is bad.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/OFREPBulkFailure"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/OFREPUnauthorized"
          },
          "403": {
            "$ref": "#/components/responses/OFREPForbidden"
          },
          "500": {
            "description": "GENERAL: the environment is not loaded.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/OFREPBulkFailure"
                }
              }
            }
          }
        },
        "parameters": [
          {
            "$ref": "#/components/parameters/IfNoneMatch"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/OFREPEvaluationRequest"
              }
            }
          }
        }
      }
    },
    "/healthz": {
      "get": {
        "operationId": "health",
        "summary": "Alive",
        "tags": [
          "operations"
        ],
        "security": [],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Health"
                }
              }
            }
          }
        }
      }
    },
    "/readyz": {
      "get": {
        "operationId": "ready",
        "summary": "Database open and snapshots loaded",
        "tags": [
          "operations"
        ],
        "security": [],
        "responses": {
          "200": {
            "description": "Ready.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Health"
                }
              }
            }
          },
          "503": {
            "description": "Not ready.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Health"
                }
              }
            }
          }
        }
      }
    },
    "/metrics": {
      "get": {
        "operationId": "metrics",
        "summary": "Prometheus metrics",
        "tags": [
          "operations"
        ],
        "security": [],
        "responses": {
          "200": {
            "description": "Prometheus text format.",
            "content": {
              "text/plain": {
                "schema": {
                  "type": "string"
                }
              }
            }
          }
        }
      }
    },
    "/openapi.json": {
      "get": {
        "operationId": "openapi",
        "summary": "This document",
        "tags": [
          "operations"
        ],
        "security": [],
        "responses": {
          "200": {
            "description": "OpenAPI 3.1 document.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          }
        }
      }
    }
  },
  "components": {
    "schemas": {
      "Value": {
        "description": "Any JSON value: a variant's value, a context attribute or an object flag's payload."
      },
      "FlagType": {
        "type": "string",
        "enum": [
          "boolean",
          "string",
          "integer",
          "double",
          "object"
        ]
      },
      "Operator": {
        "type": "string",
        "enum": [
          "in",
          "startsWith",
          "endsWith",
          "contains",
          "matches",
          "<",
          "<=",
          ">",
          ">=",
          "semver=",
          "semver<",
          "semver<=",
          "semver>",
          "semver>=",
          "before",
          "after",
          "exists"
        ]
      },
      "Variant": {
        "type": "object",
        "properties": {
          "key": {
            "type": "string"
          },
          "value": {
            "$ref": "#/components/schemas/Value"
          },
          "description": {
            "type": "string"
          }
        },
        "required": [
          "key",
          "value"
        ],
        "additionalProperties": false,
        "description": "One named value a flag can serve."
      },
      "Flag": {
        "type": "object",
        "properties": {
          "key": {
            "type": "string"
          },
          "type": {
            "$ref": "#/components/schemas/FlagType"
          },
          "description": {
            "type": "string"
          },
          "tags": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "variants": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Variant"
            }
          },
          "offVariant": {
            "type": "string"
          },
          "salt": {
            "type": "string"
          },
          "archived": {
            "type": "boolean"
          },
          "environments": {
            "type": "object",
            "additionalProperties": {
              "$ref": "#/components/schemas/FlagState"
            },
            "description": "State per environment name; an absent environment is off."
          }
        },
        "required": [
          "key"
        ],
        "additionalProperties": false,
        "description": "A feature flag. Responses always carry every field but `salt` (present when set); requests need only `key`."
      },
      "FlagState": {
        "type": "object",
        "properties": {
          "enabled": {
            "type": "boolean"
          },
          "targets": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Target"
            }
          },
          "rules": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Rule"
            }
          },
          "default": {
            "$ref": "#/components/schemas/Serve"
          }
        },
        "additionalProperties": false,
        "description": "A flag's state in one environment: enabled, then targets, then rules, then default."
      },
      "Target": {
        "type": "object",
        "properties": {
          "variant": {
            "type": "string"
          },
          "attribute": {
            "type": "string"
          },
          "values": {
            "type": "array",
            "items": {
              "type": "string"
            }
          }
        },
        "required": [
          "variant"
        ],
        "additionalProperties": false
      },
      "Rule": {
        "type": "object",
        "properties": {
          "id": {
            "type": "string",
            "pattern": "^[A-Za-z0-9_-]{1,64}$",
            "description": "Stable identity within the state; given by the server when absent."
          },
          "description": {
            "type": "string"
          },
          "clauses": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Clause"
            }
          },
          "serve": {
            "$ref": "#/components/schemas/Serve"
          }
        },
        "required": [
          "serve"
        ],
        "additionalProperties": false
      },
      "Clause": {
        "type": "object",
        "properties": {
          "attribute": {
            "type": "string"
          },
          "operator": {
            "$ref": "#/components/schemas/Operator"
          },
          "values": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "cohort": {
            "type": "string"
          },
          "negate": {
            "type": "boolean"
          }
        },
        "additionalProperties": false,
        "description": "`attribute operator values`, or membership of `cohort`."
      },
      "Serve": {
        "type": "object",
        "properties": {
          "variant": {
            "type": "string"
          },
          "rollout": {
            "$ref": "#/components/schemas/Rollout"
          }
        },
        "additionalProperties": false,
        "oneOf": [
          {
            "required": [
              "variant"
            ]
          },
          {
            "required": [
              "rollout"
            ]
          }
        ],
        "description": "Exactly one of `variant` and `rollout`."
      },
      "RolloutWeight": {
        "type": "object",
        "properties": {
          "variant": {
            "type": "string"
          },
          "weight": {
            "type": "integer",
            "minimum": 0,
            "maximum": 100000
          }
        },
        "required": [
          "variant",
          "weight"
        ],
        "additionalProperties": false
      },
      "Rollout": {
        "type": "object",
        "properties": {
          "bucketBy": {
            "type": "string"
          },
          "weights": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/RolloutWeight"
            }
          }
        },
        "required": [
          "weights"
        ],
        "additionalProperties": false,
        "description": "A sticky percentage split; weights sum to 100000."
      },
      "Cohort": {
        "type": "object",
        "properties": {
          "key": {
            "type": "string"
          },
          "description": {
            "type": "string"
          },
          "attribute": {
            "type": "string"
          },
          "members": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "clauses": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Clause"
            }
          }
        },
        "required": [
          "key"
        ],
        "additionalProperties": false
      },
      "Snapshot": {
        "type": "object",
        "properties": {
          "environment": {
            "type": "string"
          },
          "version": {
            "type": "integer"
          },
          "flags": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Flag"
            }
          },
          "cohorts": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Cohort"
            }
          }
        },
        "required": [
          "environment",
          "version",
          "flags",
          "cohorts"
        ],
        "additionalProperties": false,
        "description": "One environment's flags (its state only) and cohorts."
      },
      "ClutchDocument": {
        "type": "object",
        "properties": {
          "flags": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Flag"
            }
          },
          "cohorts": {
            "type": "object",
            "additionalProperties": {
              "type": "array",
              "items": {
                "$ref": "#/components/schemas/Cohort"
              }
            },
            "description": "Cohorts by environment."
          }
        },
        "additionalProperties": false,
        "description": "All flags and cohorts, for export and import."
      },
      "Usage": {
        "type": "object",
        "properties": {
          "lastEvaluated": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "variants": {
            "type": "object",
            "additionalProperties": {
              "type": "integer"
            }
          }
        },
        "additionalProperties": false
      },
      "FlagRecord": {
        "type": "object",
        "properties": {
          "flag": {
            "$ref": "#/components/schemas/Flag"
          },
          "revision": {
            "type": "integer"
          },
          "createdAt": {
            "type": "string",
            "format": "date-time"
          },
          "updatedAt": {
            "type": "string",
            "format": "date-time"
          },
          "updatedBy": {
            "type": "string"
          },
          "usage": {
            "type": "object",
            "additionalProperties": {
              "$ref": "#/components/schemas/Usage"
            },
            "description": "Evaluation usage by environment."
          }
        },
        "required": [
          "flag",
          "revision",
          "createdAt",
          "updatedAt",
          "updatedBy"
        ],
        "additionalProperties": false
      },
      "FlagList": {
        "type": "object",
        "properties": {
          "flags": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/FlagRecord"
            }
          }
        },
        "required": [
          "flags"
        ],
        "additionalProperties": false
      },
      "CohortRecord": {
        "type": "object",
        "properties": {
          "cohort": {
            "$ref": "#/components/schemas/Cohort"
          },
          "environment": {
            "type": "string"
          },
          "revision": {
            "type": "integer"
          },
          "updatedAt": {
            "type": "string",
            "format": "date-time"
          },
          "updatedBy": {
            "type": "string"
          }
        },
        "required": [
          "cohort",
          "environment",
          "revision",
          "updatedAt",
          "updatedBy"
        ],
        "additionalProperties": false
      },
      "Instruction": {
        "type": "object",
        "description": "One named edit: `turnOn`, `turnOff`, `addTargets` (variant, attribute = targetingKey, values), `removeTargets` (variant?, attribute, values), `addRule` (rule, position?), `removeRule` (ruleId), `moveRule` (ruleId, position), `updateRuleServe` (ruleId, serve), `setDefault` (serve), `setRollout` (percent and variant?, or weights; bucketBy?), `setOffVariant` (variant). Fields other than a kind's own are refused.",
        "properties": {
          "kind": {
            "type": "string",
            "enum": [
              "turnOn",
              "turnOff",
              "addTargets",
              "removeTargets",
              "addRule",
              "removeRule",
              "moveRule",
              "updateRuleServe",
              "setDefault",
              "setRollout",
              "setOffVariant"
            ]
          },
          "variant": {
            "type": "string"
          },
          "attribute": {
            "type": "string"
          },
          "values": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "rule": {
            "$ref": "#/components/schemas/Rule"
          },
          "position": {
            "type": "integer",
            "minimum": 0
          },
          "ruleId": {
            "type": "string"
          },
          "serve": {
            "$ref": "#/components/schemas/Serve"
          },
          "percent": {
            "type": "number",
            "minimum": 0,
            "maximum": 100
          },
          "weights": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/RolloutWeight"
            }
          },
          "bucketBy": {
            "type": "string"
          }
        },
        "required": [
          "kind"
        ],
        "additionalProperties": false
      },
      "ChangesDryRun": {
        "type": "object",
        "properties": {
          "dryRun": {
            "type": "boolean"
          },
          "record": {
            "$ref": "#/components/schemas/FlagRecord"
          },
          "diff": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Change"
            }
          }
        },
        "required": [
          "dryRun",
          "record",
          "diff"
        ],
        "additionalProperties": false
      },
      "MembershipResult": {
        "type": "object",
        "properties": {
          "cohort": {
            "type": "string"
          },
          "environment": {
            "type": "string"
          },
          "revision": {
            "type": "integer"
          },
          "size": {
            "type": "integer",
            "description": "The number of explicit members after the change."
          },
          "added": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "removed": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "updatedAt": {
            "type": "string",
            "format": "date-time"
          },
          "updatedBy": {
            "type": "string"
          }
        },
        "required": [
          "cohort",
          "environment",
          "revision",
          "size",
          "added",
          "removed",
          "updatedAt",
          "updatedBy"
        ],
        "additionalProperties": false
      },
      "CohortList": {
        "type": "object",
        "properties": {
          "cohorts": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/CohortRecord"
            }
          }
        },
        "required": [
          "cohorts"
        ],
        "additionalProperties": false
      },
      "CohortMembersChange": {
        "type": "object",
        "properties": {
          "add": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "remove": {
            "type": "array",
            "items": {
              "type": "string"
            }
          }
        },
        "additionalProperties": false
      },
      "Environment": {
        "type": "object",
        "properties": {
          "key": {
            "type": "string"
          },
          "createdAt": {
            "type": "string",
            "format": "date-time"
          },
          "snapshotVersion": {
            "type": "integer"
          },
          "streams": {
            "type": "integer"
          }
        },
        "required": [
          "key",
          "createdAt",
          "snapshotVersion",
          "streams"
        ],
        "additionalProperties": false
      },
      "EnvironmentList": {
        "type": "object",
        "properties": {
          "environments": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Environment"
            }
          }
        },
        "required": [
          "environments"
        ],
        "additionalProperties": false
      },
      "EnvironmentCreate": {
        "type": "object",
        "properties": {
          "key": {
            "type": "string"
          }
        },
        "required": [
          "key"
        ],
        "additionalProperties": false
      },
      "KillRequest": {
        "type": "object",
        "properties": {
          "environments": {
            "type": "array",
            "items": {
              "type": "string"
            }
          }
        },
        "additionalProperties": false
      },
      "KillResult": {
        "type": "object",
        "properties": {
          "flag": {
            "$ref": "#/components/schemas/FlagRecord"
          },
          "environments": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "notifiedStreams": {
            "type": "integer"
          }
        },
        "required": [
          "flag",
          "environments",
          "notifiedStreams"
        ],
        "additionalProperties": false
      },
      "StaleFlag": {
        "type": "object",
        "properties": {
          "key": {
            "type": "string"
          },
          "reason": {
            "type": "string",
            "enum": [
              "never evaluated",
              "fully rolled out"
            ]
          },
          "lastEvaluated": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          }
        },
        "required": [
          "key",
          "reason",
          "lastEvaluated"
        ],
        "additionalProperties": false
      },
      "StaleFlagList": {
        "type": "object",
        "properties": {
          "flags": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/StaleFlag"
            }
          }
        },
        "required": [
          "flags"
        ],
        "additionalProperties": false
      },
      "Revision": {
        "type": "object",
        "properties": {
          "number": {
            "type": "integer"
          },
          "flagKey": {
            "type": "string"
          },
          "createdAt": {
            "type": "string",
            "format": "date-time"
          },
          "actor": {
            "type": "string"
          },
          "message": {
            "type": [
              "string",
              "null"
            ]
          },
          "action": {
            "type": "string",
            "description": "create, update, state, enable, disable, kill, archive, unarchive, delete, rollback or import."
          },
          "summary": {
            "type": "string"
          },
          "flag": {
            "oneOf": [
              {
                "$ref": "#/components/schemas/Flag"
              },
              {
                "type": "null"
              }
            ],
            "description": "The flag after the change; null for a delete."
          },
          "environments": {
            "type": "array",
            "items": {
              "type": "string"
            },
            "description": "The environments whose state this revision changed."
          },
          "definitionChanged": {
            "type": "boolean",
            "description": "Whether anything outside the environments' state changed (or the flag was created or deleted)."
          }
        },
        "required": [
          "number",
          "flagKey",
          "createdAt",
          "actor",
          "action",
          "summary",
          "flag"
        ],
        "additionalProperties": false
      },
      "RevisionList": {
        "type": "object",
        "properties": {
          "revisions": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Revision"
            }
          }
        },
        "required": [
          "revisions"
        ],
        "additionalProperties": false
      },
      "Change": {
        "type": "object",
        "properties": {
          "path": {
            "type": "string"
          },
          "before": {
            "$ref": "#/components/schemas/Value"
          },
          "after": {
            "$ref": "#/components/schemas/Value"
          }
        },
        "required": [
          "path"
        ],
        "additionalProperties": false,
        "description": "One changed field; `before` or `after` is absent or null when the field did not exist."
      },
      "Diff": {
        "type": "object",
        "properties": {
          "from": {
            "type": "integer"
          },
          "to": {
            "type": "integer"
          },
          "changes": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Change"
            }
          }
        },
        "required": [
          "from",
          "to",
          "changes"
        ],
        "additionalProperties": false
      },
      "RollbackRequest": {
        "type": "object",
        "properties": {
          "revision": {
            "type": "integer"
          },
          "environment": {
            "type": "string"
          }
        },
        "additionalProperties": false
      },
      "SDKKeyCreate": {
        "type": "object",
        "properties": {
          "name": {
            "type": "string"
          }
        },
        "required": [
          "name"
        ],
        "additionalProperties": false
      },
      "SDKKey": {
        "type": "object",
        "properties": {
          "id": {
            "type": "string"
          },
          "name": {
            "type": "string"
          },
          "environment": {
            "type": "string"
          },
          "createdAt": {
            "type": "string",
            "format": "date-time"
          },
          "revokedAt": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          }
        },
        "required": [
          "id",
          "name",
          "environment",
          "createdAt"
        ],
        "additionalProperties": false
      },
      "SDKKeyCreated": {
        "type": "object",
        "properties": {
          "id": {
            "type": "string"
          },
          "name": {
            "type": "string"
          },
          "environment": {
            "type": "string"
          },
          "createdAt": {
            "type": "string",
            "format": "date-time"
          },
          "revokedAt": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "key": {
            "type": "string"
          }
        },
        "required": [
          "id",
          "name",
          "environment",
          "createdAt",
          "key"
        ],
        "additionalProperties": false,
        "description": "A new SDK key; the only time `key` is shown."
      },
      "SDKKeyList": {
        "type": "object",
        "properties": {
          "keys": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/SDKKey"
            }
          }
        },
        "required": [
          "keys"
        ],
        "additionalProperties": false
      },
      "AuditEvent": {
        "type": "object",
        "properties": {
          "id": {
            "type": "integer"
          },
          "at": {
            "type": "string",
            "format": "date-time"
          },
          "actor": {
            "type": "string"
          },
          "action": {
            "type": "string"
          },
          "entity": {
            "type": "string",
            "enum": [
              "flag",
              "cohort",
              "key",
              "environment"
            ]
          },
          "key": {
            "type": "string"
          },
          "environment": {
            "type": [
              "string",
              "null"
            ]
          },
          "revision": {
            "type": [
              "integer",
              "null"
            ]
          },
          "message": {
            "type": [
              "string",
              "null"
            ]
          }
        },
        "required": [
          "id",
          "at",
          "actor",
          "action",
          "entity",
          "key"
        ],
        "additionalProperties": false
      },
      "AuditEventList": {
        "type": "object",
        "properties": {
          "events": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/AuditEvent"
            }
          }
        },
        "required": [
          "events"
        ],
        "additionalProperties": false
      },
      "EnvironmentStatus": {
        "type": "object",
        "properties": {
          "key": {
            "type": "string"
          },
          "snapshotVersion": {
            "type": "integer"
          },
          "streams": {
            "type": "integer"
          },
          "flags": {
            "type": "integer"
          }
        },
        "required": [
          "key",
          "snapshotVersion",
          "streams",
          "flags"
        ],
        "additionalProperties": false
      },
      "Status": {
        "type": "object",
        "properties": {
          "version": {
            "type": "string"
          },
          "environments": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/EnvironmentStatus"
            }
          }
        },
        "required": [
          "version",
          "environments"
        ],
        "additionalProperties": false
      },
      "ExplainRequest": {
        "type": "object",
        "properties": {
          "flag": {
            "type": "string"
          },
          "context": {
            "$ref": "#/components/schemas/EvaluationContext"
          }
        },
        "required": [
          "flag"
        ],
        "additionalProperties": false
      },
      "ExplainMatch": {
        "type": "object",
        "properties": {
          "kind": {
            "type": "string",
            "enum": [
              "target",
              "rule",
              "default"
            ]
          },
          "index": {
            "type": [
              "integer",
              "null"
            ]
          },
          "attribute": {
            "type": [
              "string",
              "null"
            ]
          },
          "value": {
            "type": [
              "string",
              "null"
            ]
          }
        },
        "required": [
          "kind"
        ],
        "additionalProperties": false
      },
      "Explanation": {
        "type": "object",
        "properties": {
          "flagKey": {
            "type": "string"
          },
          "value": {
            "$ref": "#/components/schemas/Value"
          },
          "variant": {
            "type": [
              "string",
              "null"
            ]
          },
          "reason": {
            "$ref": "#/components/schemas/Reason"
          },
          "errorCode": {
            "oneOf": [
              {
                "$ref": "#/components/schemas/ErrorCode"
              },
              {
                "type": "null"
              }
            ]
          },
          "errorMessage": {
            "type": [
              "string",
              "null"
            ]
          },
          "match": {
            "oneOf": [
              {
                "$ref": "#/components/schemas/ExplainMatch"
              },
              {
                "type": "null"
              }
            ]
          },
          "explanation": {
            "type": "string"
          }
        },
        "required": [
          "flagKey",
          "reason",
          "explanation"
        ],
        "additionalProperties": false
      },
      "ImportChange": {
        "type": "object",
        "properties": {
          "kind": {
            "type": "string",
            "enum": [
              "flag",
              "cohort"
            ]
          },
          "key": {
            "type": "string"
          },
          "environment": {
            "type": [
              "string",
              "null"
            ]
          },
          "action": {
            "type": "string",
            "enum": [
              "create",
              "update",
              "unchanged"
            ]
          },
          "fields": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Change"
            },
            "description": "The fields that differ from what is stored."
          }
        },
        "required": [
          "kind",
          "key",
          "action"
        ],
        "additionalProperties": false
      },
      "ImportResult": {
        "type": "object",
        "properties": {
          "dryRun": {
            "type": "boolean"
          },
          "changes": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/ImportChange"
            }
          },
          "applied": {
            "type": "boolean"
          }
        },
        "required": [
          "dryRun",
          "changes",
          "applied"
        ],
        "additionalProperties": false
      },
      "UsageCount": {
        "type": "object",
        "properties": {
          "flag": {
            "type": "string"
          },
          "variant": {
            "type": "string"
          },
          "count": {
            "type": "integer",
            "minimum": 0,
            "maximum": 1099511627776
          }
        },
        "required": [
          "flag",
          "variant",
          "count"
        ],
        "additionalProperties": false
      },
      "UsageAnswer": {
        "type": "object",
        "properties": {
          "accepted": {
            "type": "integer"
          },
          "ignored": {
            "type": "integer"
          }
        },
        "required": [
          "accepted",
          "ignored"
        ],
        "additionalProperties": false
      },
      "UsageReport": {
        "type": "object",
        "properties": {
          "counts": {
            "type": "array",
            "maxItems": 10000,
            "items": {
              "$ref": "#/components/schemas/UsageCount"
            }
          },
          "from": {
            "type": "string",
            "format": "date-time"
          },
          "to": {
            "type": "string",
            "format": "date-time"
          }
        },
        "required": [
          "counts"
        ],
        "additionalProperties": false
      },
      "Error": {
        "type": "object",
        "properties": {
          "error": {
            "type": "object",
            "properties": {
              "code": {
                "type": "string",
                "enum": [
                  "bad_request",
                  "validation_failed",
                  "unauthorized",
                  "forbidden",
                  "not_found",
                  "conflict",
                  "precondition_required",
                  "payload_too_large",
                  "too_many_requests",
                  "internal"
                ]
              },
              "message": {
                "type": "string"
              },
              "field": {
                "type": "string",
                "description": "The field at fault, when there is one."
              }
            },
            "required": [
              "code",
              "message"
            ],
            "additionalProperties": false
          }
        },
        "required": [
          "error"
        ],
        "additionalProperties": false,
        "description": "The one error shape outside OFREP."
      },
      "Health": {
        "type": "object",
        "properties": {
          "status": {
            "type": "string"
          }
        },
        "required": [
          "status"
        ],
        "additionalProperties": true
      },
      "Reason": {
        "type": "string",
        "enum": [
          "STATIC",
          "DEFAULT",
          "TARGETING_MATCH",
          "SPLIT",
          "DISABLED",
          "CACHED",
          "STALE",
          "UNKNOWN",
          "ERROR"
        ],
        "description": "OpenFeature resolution reasons."
      },
      "ErrorCode": {
        "type": "string",
        "enum": [
          "FLAG_NOT_FOUND",
          "TYPE_MISMATCH",
          "PARSE_ERROR",
          "INVALID_CONTEXT",
          "TARGETING_KEY_MISSING",
          "PROVIDER_NOT_READY",
          "GENERAL"
        ]
      },
      "EvaluationContext": {
        "type": "object",
        "properties": {
          "targetingKey": {
            "type": "string"
          }
        },
        "additionalProperties": true,
        "description": "OpenFeature evaluation context: `targetingKey` and any attributes."
      },
      "OFREPEvaluationRequest": {
        "type": "object",
        "properties": {
          "context": {
            "$ref": "#/components/schemas/EvaluationContext"
          }
        },
        "additionalProperties": false
      },
      "OFREPEvaluationSuccess": {
        "type": "object",
        "properties": {
          "key": {
            "type": "string"
          },
          "value": {
            "$ref": "#/components/schemas/Value"
          },
          "reason": {
            "$ref": "#/components/schemas/Reason"
          },
          "variant": {
            "type": "string"
          },
          "metadata": {
            "type": "object",
            "additionalProperties": {
              "type": [
                "string",
                "number",
                "boolean"
              ]
            }
          }
        },
        "required": [
          "key",
          "value",
          "reason",
          "variant"
        ],
        "additionalProperties": false
      },
      "OFREPEvaluationFailure": {
        "type": "object",
        "properties": {
          "key": {
            "type": "string"
          },
          "errorCode": {
            "type": "string",
            "enum": [
              "PARSE_ERROR",
              "INVALID_CONTEXT",
              "TARGETING_KEY_MISSING",
              "GENERAL",
              "FLAG_NOT_FOUND",
              "TYPE_MISMATCH"
            ]
          },
          "errorDetails": {
            "type": "string"
          }
        },
        "required": [
          "key",
          "errorCode"
        ],
        "additionalProperties": false
      },
      "OFREPBulkEvaluation": {
        "type": "object",
        "properties": {
          "flags": {
            "type": "array",
            "items": {
              "oneOf": [
                {
                  "$ref": "#/components/schemas/OFREPEvaluationSuccess"
                },
                {
                  "$ref": "#/components/schemas/OFREPEvaluationFailure"
                }
              ]
            }
          }
        },
        "required": [
          "flags"
        ],
        "additionalProperties": false
      },
      "OFREPBulkFailure": {
        "type": "object",
        "properties": {
          "errorCode": {
            "type": "string",
            "enum": [
              "PARSE_ERROR",
              "INVALID_CONTEXT",
              "TARGETING_KEY_MISSING",
              "GENERAL"
            ]
          },
          "errorDetails": {
            "type": "string"
          }
        },
        "required": [
          "errorCode"
        ],
        "additionalProperties": false
      },
      "SSEFlagEvent": {
        "type": "object",
        "properties": {
          "version": {
            "type": "integer"
          },
          "flag": {
            "$ref": "#/components/schemas/Flag"
          }
        },
        "required": [
          "version",
          "flag"
        ],
        "additionalProperties": false,
        "description": "`event: flag` data."
      },
      "SSECohortEvent": {
        "type": "object",
        "properties": {
          "version": {
            "type": "integer"
          },
          "cohort": {
            "$ref": "#/components/schemas/Cohort"
          }
        },
        "required": [
          "version",
          "cohort"
        ],
        "additionalProperties": false,
        "description": "`event: cohort` data."
      },
      "SSEDeletedEvent": {
        "type": "object",
        "properties": {
          "version": {
            "type": "integer"
          },
          "key": {
            "type": "string"
          }
        },
        "required": [
          "version",
          "key"
        ],
        "additionalProperties": false,
        "description": "`event: flag-deleted` / `cohort-deleted` data."
      },
      "SSEMembersEvent": {
        "type": "object",
        "properties": {
          "version": {
            "type": "integer"
          },
          "cohort": {
            "type": "string"
          },
          "added": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "removed": {
            "type": "array",
            "items": {
              "type": "string"
            }
          }
        },
        "required": [
          "version",
          "cohort",
          "added",
          "removed"
        ],
        "additionalProperties": false,
        "description": "`event: cohort-members` data: members a change added to and removed from one cohort."
      }
    },
    "responses": {
      "BadRequest": {
        "description": "Malformed JSON or a bad parameter (`bad_request`), or an invalid definition (`validation_failed`, naming the field).",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "Unauthorized": {
        "description": "Missing or unknown credential.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "Forbidden": {
        "description": "A credential that may not use this route (an SDK key on the admin API).",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "NotFound": {
        "description": "Unknown flag, cohort, environment, key or revision.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "Conflict": {
        "description": "Already exists, stale `If-Match`, or still in use.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "TooManyRequests": {
        "description": "Over a per-key limit (usage reports a second, open streams); try again after `Retry-After` seconds.",
        "headers": {
          "Retry-After": {
            "schema": {
              "type": "integer"
            }
          }
        },
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "PayloadTooLarge": {
        "description": "Body over 1 MiB (an import: over the server's --max-import-size).",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "OFREPUnauthorized": {
        "description": "Missing, unknown or revoked SDK key (OFREP leaves the body open; Clutch sends its error shape).",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "OFREPForbidden": {
        "description": "A credential without an environment (an admin token).",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      }
    },
    "parameters": {
      "FlagKey": {
        "name": "key",
        "in": "path",
        "required": true,
        "schema": {
          "type": "string"
        },
        "description": "Flag key."
      },
      "Environment": {
        "name": "env",
        "in": "path",
        "required": true,
        "schema": {
          "type": "string"
        },
        "description": "Environment key."
      },
      "CohortKey": {
        "name": "cohortKey",
        "in": "path",
        "required": true,
        "schema": {
          "type": "string"
        },
        "description": "Cohort key."
      },
      "IfMatch": {
        "name": "If-Match",
        "in": "header",
        "required": false,
        "schema": {
          "type": "string"
        },
        "description": "The revision the change is based on (quotes optional); a stale one gets 409."
      },
      "IfNoneMatch": {
        "name": "If-None-Match",
        "in": "header",
        "required": false,
        "schema": {
          "type": "string"
        },
        "description": "An earlier `ETag`; a match gets 304."
      },
      "Message": {
        "name": "X-Clutch-Message",
        "in": "header",
        "required": false,
        "schema": {
          "type": "string"
        },
        "description": "Why the change is made; recorded in the revision and audit event (percent-encoded UTF-8 is decoded)."
      }
    },
    "securitySchemes": {
      "adminToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "An admin token (`clutch_admin_…`)."
      },
      "sdkKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "An SDK key (`clutch_sdk_…`); it decides the environment."
      },
      "sdkApiKey": {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "An SDK key, as a header."
      }
    }
  }
}
"""#
}
