import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encryptedDataDisks } from "../../policy/policies/encrypted-data-disks";
import { violations, type Fixture } from "./args";
import { awsInstance } from "./fixtures";

const ebs = (encrypted?: boolean): Fixture => ({
  type: "aws:ebs/volume:Volume",
  name: "eth-1-data",
  provider: { region: "eu-central-1" },
  props: {
    availabilityZone: "eu-central-1a",
    type: "gp3",
    size: 2500,
    iops: 6000,
    throughput: 250,
    ...(encrypted === undefined ? {} : { encrypted }),
  },
});

describe("policy encrypted-data-disks", () => {
  it("AWS EBS volume: encrypted passes; unencrypted or unset is blocked with the fix", async () => {
    assert.deepEqual(await violations(encryptedDataDisks, ebs(true)), []);
    const [v] = await violations(encryptedDataDisks, ebs(false));
    assert.match(
      v,
      /^Unencrypted data disk on eth-1-data \(aws:ebs\/volume:Volume\): gp3 of 2500 GB is not encrypted at rest\. Fix: set encrypted: true/,
    );
    assert.equal((await violations(encryptedDataDisks, ebs())).length, 1);
  });

  it("AWS instance: an unencrypted ebsBlockDevices entry is blocked", async () => {
    const vm = awsInstance("eth-1-vm", undefined);
    assert.deepEqual(await violations(encryptedDataDisks, vm), []);
    vm.props.ebsBlockDevices = [
      { deviceName: "/dev/sdf", volumeType: "io2", volumeSize: 1000, iops: 16000, encrypted: false },
    ];
    assert.match((await violations(encryptedDataDisks, vm))[0], /eth-1-vm\/ebsBlockDevices\[0\]/);
  });

  it("GCP persistent disks and Azure managed disks are encrypted by the platform", async () => {
    const gcp: Fixture = {
      type: "gcp:compute/disk:Disk",
      name: "d",
      props: { zone: "us-east4-a", type: "pd-ssd", size: 2500 },
    };
    const azure: Fixture = {
      type: "azure-native:compute:Disk",
      name: "d",
      props: {
        location: "eastus",
        sku: { name: "Premium_LRS" },
        diskSizeGB: 2048,
        creationData: { createOption: "Empty" },
      },
    };
    assert.deepEqual(await violations(encryptedDataDisks, gcp), []);
    assert.deepEqual(await violations(encryptedDataDisks, azure), []);
  });
});
