/**
 * ResourceLists as kpt sends them: every item with kpt's annotations, comments here and there,
 * half workloads (Deployments, StatefulSets, CronJobs with an app and a sidecar) and half
 * ConfigMaps and Services.
 */

const annotations = (i: number, file: string) => `    annotations:
      config.kubernetes.io/index: '0'
      config.kubernetes.io/path: '${file}'
      internal.config.kubernetes.io/index: '0'
      internal.config.kubernetes.io/path: '${file}'
      internal.config.kubernetes.io/seqindent: 'compact'
      internal.config.kubernetes.io/annotations-migration-resource-id: '${i}'
      internal.config.kubernetes.io/id: '${i + 1}'
      config.k8s.io/id: '${i + 1}'
`;

function deployment(i: number): string {
  return `- # api ${i}
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: api-${i}
    namespace: team-${i % 7}
    labels:
      app: api-${i}
${annotations(i, `api-${i}.yaml`)}  spec:
    replicas: 2
    selector:
      matchLabels: {app: api-${i}}
    template:
      metadata:
        labels: {app: api-${i}}
      spec:
        containers:
        - name: api # the app
          image: ghcr.io/example/api:1.${i % 10}.0
          ports:
          - containerPort: 8080
          env:
          - name: DB_HOST
            value: "127.0.0.1"
          readinessProbe:
            httpGet: {path: /healthz, port: 8080}
          resources:
            requests: {cpu: 100m, memory: 128Mi}
        # database connector
        - name: cloud-sql-proxy
          image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1
          args: ["--health-check", "--http-address=0.0.0.0", "project:region:db-${i}"]
          readinessProbe:
            httpGet:
              path: /readiness
              port: 9090
`;
}

function statefulSet(i: number): string {
  return `- apiVersion: apps/v1
  kind: StatefulSet
  metadata:
    name: store-${i}
${annotations(i, `store-${i}.yaml`)}  spec:
    serviceName: store-${i}
    selector:
      matchLabels: {app: store-${i}}
    template:
      metadata:
        labels: {app: store-${i}}
      spec:
        terminationGracePeriodSeconds: 60
        initContainers:
        - name: istio-init
          image: docker.io/istio/proxyv2:1.24.0
          args: ["istio-iptables", "-p", "15001"]
        containers:
        - name: store
          image: ghcr.io/example/store:3.1.${i % 10}
          volumeMounts:
          - name: data
            mountPath: /var/lib/store
        - name: istio-proxy
          image: docker.io/istio/proxyv2:1.24.0
          args: ["proxy", "sidecar"]
`;
}

function cronJob(i: number): string {
  return `- apiVersion: batch/v1
  kind: CronJob
  metadata:
    name: report-${i}
${annotations(i, `report-${i}.yaml`)}  spec:
    schedule: "${i % 60} 3 * * *"
    jobTemplate:
      spec:
        template:
          spec:
            restartPolicy: OnFailure
            containers:
            - name: report
              image: ghcr.io/example/report:2.0.0
              command: ["/report", "--day", "yesterday"]
            - name: cloud-sql-proxy
              image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1
              args: ["--health-check", "--http-address=0.0.0.0", "--quitquitquit", "project:region:reports"]
`;
}

function configMap(i: number): string {
  return `- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: settings-${i}
${annotations(i, `settings-${i}.yaml`)}  data:
    LOG_LEVEL: info
    FEATURE_FLAGS: 'a,b,c'
    app.properties: |
      threads=${i % 16}
      cache.size=256
`;
}

function service(i: number): string {
  return `- apiVersion: v1
  kind: Service
  metadata:
    name: api-${i}
${annotations(i, `svc-${i}.yaml`)}  spec:
    selector:
      app: api-${i}
    ports:
    - name: http
      port: 80
      targetPort: 8080
`;
}

const WORKLOADS = [deployment, statefulSet, cronJob];
const OTHERS = [configMap, service];

/** A ResourceList of `n` items whose workloads all need ordering, with `functionConfig` appended. */
export function resourceList(n: number, functionConfig: string): string {
  let out = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n";
  for (let i = 0; i < n; i++) {
    const make = i % 2 === 0 ? WORKLOADS[(i / 2) % WORKLOADS.length]! : OTHERS[((i - 1) / 2) % OTHERS.length]!;
    out += make(i);
  }
  return out + "functionConfig:\n" + functionConfig.replace(/^(?=.)/gm, "  ");
}

export const NATIVE_CONFIG = `apiVersion: fn.sidecar-order.dev/v1alpha1
kind: SidecarOrder
metadata:
  name: sidecar-order
kubernetesVersion: "1.31"
`;

export const LEGACY_CONFIG = `apiVersion: fn.sidecar-order.dev/v1alpha1
kind: SidecarOrder
metadata:
  name: sidecar-order
kubernetesVersion: "1.27"
allowLegacyJobs: true
`;
