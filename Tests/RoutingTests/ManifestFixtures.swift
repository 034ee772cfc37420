/// Manifests in the shape `kubectl get maasmodels … -o yaml|json` writes them (server-side fields
/// such as `uid`, `managedFields` and `status.conditions` included, to prove they are ignored).
enum ManifestFixtures {
    /// `kubectl get maasmodel facebook-opt-125m-simulated -n opendatahub -o yaml`
    static let singleModel = #"""
        apiVersion: maas.opendatahub.io/v1alpha1
        kind: MaaSModel
        metadata:
          annotations:
            kubectl.kubernetes.io/last-applied-configuration: |
              {"apiVersion":"maas.opendatahub.io/v1alpha1","kind":"MaaSModel","metadata":{"annotations":{"openshift.io/display-name":"OPT 125M"},"name":"facebook-opt-125m-simulated","namespace":"opendatahub"},"spec":{"modelRef":{"kind":"LLMInferenceService","name":"facebook-opt-125m-simulated","namespace":"llm"}}}
            opendatahub.io/context-window: "2048"
            opendatahub.io/model-capabilities: '["chat","completions"]'
            openshift.io/description: A tiny simulated model for tests
            openshift.io/display-name: OPT 125M
          creationTimestamp: "2026-02-27T15:04:05Z"
          finalizers:
          - maas.opendatahub.io/finalizer
          generation: 1
          labels:
            app.kubernetes.io/part-of: models-as-a-service
          managedFields:
          - apiVersion: maas.opendatahub.io/v1alpha1
            fieldsType: FieldsV1
            fieldsV1:
              f:metadata:
                f:annotations:
                  .: {}
                  f:kubectl.kubernetes.io/last-applied-configuration: {}
                  f:openshift.io/display-name: {}
              f:spec:
                .: {}
                f:modelRef:
                  .: {}
                  f:kind: {}
                  f:name: {}
                  f:namespace: {}
            manager: kubectl-client-side-apply
            operation: Update
            time: "2026-02-27T15:04:05Z"
          - apiVersion: maas.opendatahub.io/v1alpha1
            fieldsType: FieldsV1
            fieldsV1:
              f:status:
                .: {}
                f:conditions: {}
                f:endpoint: {}
                f:phase: {}
            manager: maas-controller
            operation: Update
            subresource: status
            time: "2026-02-27T15:05:10Z"
          name: facebook-opt-125m-simulated
          namespace: opendatahub
          resourceVersion: "184467"
          uid: 5b0e0c1e-8a4e-4c55-9d1e-2f0b7c9a3d11
        spec:
          modelRef:
            kind: LLMInferenceService
            name: facebook-opt-125m-simulated
            namespace: llm
        status:
          conditions:
          - lastTransitionTime: "2026-02-27T15:05:10Z"
            message: Endpoint resolved from the LLMInferenceService
            observedGeneration: 1
            reason: Reconciled
            status: "True"
            type: Ready
          endpoint: https://maas.apps.example.com/llm/facebook-opt-125m-simulated
          phase: Ready

        """#

    /// `kubectl get maasmodels -A -o yaml`: a `v1` `List` with a model without namespace in its
    /// modelRef, an `ExternalModel` still pending, and a Deployment mixed in.
    static let kubectlList = #"""
        apiVersion: v1
        items:
        - apiVersion: maas.opendatahub.io/v1alpha1
          kind: MaaSModel
          metadata:
            creationTimestamp: "2026-03-01T08:00:00Z"
            generation: 2
            name: granite-3-8b
            namespace: team-a
            resourceVersion: "200101"
            uid: 0f6f7e1a-1d7c-4c1b-9a57-3f1c3b8a2e01
          spec:
            modelRef:
              kind: llmisvc
              name: granite-3-8b-instruct
          status:
            conditions:
            - lastTransitionTime: "2026-03-01T08:01:00Z"
              status: "True"
              type: Ready
            endpoint: http://granite.team-a.svc.cluster.local:8000
            phase: Ready
        - apiVersion: apps/v1
          kind: Deployment
          metadata:
            name: vllm
            namespace: team-a
          spec:
            replicas: 1
        - apiVersion: maas.opendatahub.io/v1alpha1
          kind: MaaSModel
          metadata:
            creationTimestamp: "2026-03-02T09:30:00.123456Z"
            generation: 1
            name: gpt-4o
            namespace: external
            resourceVersion: "200555"
            uid: 6c0f3e3b-7a1d-4a9e-8a43-b3c7d2c6f9aa
          spec:
            modelRef:
              kind: ExternalModel
              name: gpt-4o
          status:
            phase: Pending
        kind: List
        metadata:
          resourceVersion: ""

        """#

    /// The same shape as `kubectl get maasmodels -A -o json`.
    static let kubectlJSONList = #"""
        {
            "apiVersion": "v1",
            "items": [
                {
                    "apiVersion": "maas.opendatahub.io/v1alpha1",
                    "kind": "MaaSModel",
                    "metadata": {
                        "annotations": {
                            "openshift.io/display-name": "Llama 3.1 8B \/ instruct",
                            "opendatahub.io/context-window": "131072"
                        },
                        "creationTimestamp": "2026-02-27T17:04:05+02:00",
                        "generation": 1,
                        "managedFields": [
                            {
                                "apiVersion": "maas.opendatahub.io/v1alpha1",
                                "fieldsType": "FieldsV1",
                                "fieldsV1": {"f:spec": {".": {}, "f:modelRef": {}}},
                                "manager": "kubectl-create",
                                "operation": "Update",
                                "time": "2026-02-27T15:04:05Z"
                            }
                        ],
                        "name": "llama-3-1-8b",
                        "namespace": "models",
                        "resourceVersion": "99121",
                        "uid": "d0b8a4ee-6d53-4f0e-93b8-2c6f1b1e7a55"
                    },
                    "spec": {
                        "modelRef": {
                            "kind": "LLMInferenceService",
                            "name": "llama-3-1-8b",
                            "namespace": "llm"
                        }
                    },
                    "status": {
                        "conditions": [
                            {
                                "lastTransitionTime": "2026-02-27T15:06:00Z",
                                "status": "True",
                                "type": "Ready"
                            }
                        ],
                        "endpoint": "https://maas.apps.example.com/llm/llama-3-1-8b",
                        "phase": "Ready"
                    }
                }
            ],
            "kind": "List",
            "metadata": {
                "resourceVersion": ""
            }
        }

        """#

    /// A `MaaSModelList` as the Kubernetes API returns it: items without `kind`/`apiVersion`.
    static let maasModelList = #"""
        apiVersion: maas.opendatahub.io/v1alpha1
        kind: MaaSModelList
        metadata:
          continue: ""
          resourceVersion: "184470"
        items:
        - metadata:
            creationTimestamp: "2026-02-27T15:04:05Z"
            name: alpha
            namespace: ns1
            resourceVersion: "184001"
            uid: 11111111-2222-3333-4444-555555555555
          spec:
            modelRef:
              name: alpha-isvc
          status:
            endpoint: https://maas.apps.example.com/ns1/alpha
            phase: Ready
        - apiVersion: maas.opendatahub.io/v1alpha1
          kind: MaaSModel
          metadata:
            name: beta
            namespace: ns2
          spec:
            modelRef:
              kind: ExternalModel
              name: beta
          status:
            phase: Failed
        - apiVersion: v1
          kind: Secret
          metadata:
            name: provider-key
            namespace: ns2

        """#

    /// A hand-maintained directory file: comments, empty documents, a ConfigMap in between, a
    /// model without a namespace, one without a modelRef name, and no status at all.
    static let multiDocument = #"""
        # Models served by the platform team.
        ---
        apiVersion: maas.opendatahub.io/v1alpha1
        kind: MaaSModel
        metadata:
          name: first
          namespace: platform
        spec:
          modelRef:
            kind: LLMInferenceService
            name: first-isvc
        status:
          endpoint: https://first.example.com/v1-prefix/
          phase: Ready
        ---
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: proxy-settings
          namespace: platform
        data:
          key: value
        ---
        apiVersion: maas.opendatahub.io/v1beta1
        kind: MaaSModel
        metadata:
          name: second
        spec:
          modelRef:
            name: second-isvc
        ---
        apiVersion: maas.opendatahub.io/v1alpha1
        kind: MaaSModel
        metadata:
          name: broken
          namespace: platform
        spec:
          modelRef:
            kind: LLMInferenceService
        status:
          phase: Ready
        ...

        """#
}
